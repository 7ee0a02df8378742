package io.github.connectionlifecycle.stream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import javax.sql.DataSource;

import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.testsupport.TrustingPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

import static io.github.connectionlifecycle.stream.StreamWorkIntegrationTests.send;
import static io.github.connectionlifecycle.stream.StreamWorkIntegrationTests.streamContextRunner;
import static io.github.connectionlifecycle.stream.StreamWorkIntegrationTests.withBinding;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the binder's units add at each delivery's boundaries, on the embedded MariaDB: a
 * function that inserts each record with the id of the connection it used, each record
 * delivered once by the binder (no binder retries); on {@link TrustingPools#TOMCAT} but for
 * the idle gap.
 */
@ExtendWith(OutputCaptureExtension.class)
class StreamConnectionsIntegrationTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final int RECORDS = 5;

	private final ApplicationContextRunner contextRunner = streamContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				DataSourceConnectionLifecycleAutoConfiguration.class))
		.withUserConfiguration(InsertFunction.class)
		.withPropertyValues("spring.datasource.username=" + EmbeddedMariaDb.username(),
				"spring.datasource.password=" + EmbeddedMariaDb.password(),
				"spring.cloud.stream.bindings.insert-in-0.consumer.max-attempts=1");

	@ParameterizedTest(name = "entry point on: {0}")
	@ValueSource(booleans = { true, false })
	void withHealthChecksNoDeliveryFailsAfterAKill(boolean entryPoint) {
		String url = TrustingPools.createDatabase("stream_kill_checked");
		withBinding(this.contextRunner, "insert", "stream-kill").withPropertyValues(TrustingPools.TOMCAT)
			.withPropertyValues("spring.datasource.url=" + url, "connection.health-checks=true",
					"connection.kafka.enabled=" + entryPoint)
			.run((context) -> {
				InsertFunction function = context.getBean(InsertFunction.class);
				send(context, "0");
				await().atMost(TIMEOUT).until(() -> function.attempts.get() == 1);
				assertThat(EmbeddedMariaDb.killSessions(url)).as("sessions killed").isPositive();
				send(context, "1", "2", "3", "4", "5");
				// A failed delivery may be redelivered by the container: at least one attempt each.
				await().atMost(TIMEOUT).until(() -> function.attempts.get() >= 1 + RECORDS);
				assertThat(function.failures.get()).isEqualTo(entryPoint ? 0 : 1);
			});
	}

	@ParameterizedTest(name = "entry point on: {0}")
	@ValueSource(booleans = { true, false })
	void withMaxAgeZeroEveryDeliveryGetsAConnectionNoEarlierDeliveryUsed(boolean entryPoint) {
		String url = TrustingPools.createDatabase("stream_max_age_zero");
		withBinding(this.contextRunner, "insert", "stream-max-age").withPropertyValues(TrustingPools.TOMCAT)
			.withPropertyValues("spring.datasource.url=" + url, "connection.max-age=0",
					"connection.kafka.enabled=" + entryPoint)
			.run((context) -> {
				send(context, "1", "2", "3", "4");
				InsertFunction function = context.getBean(InsertFunction.class);
				await().atMost(TIMEOUT).until(() -> function.attempts.get() == 4);
				List<Long> connectionIds = connectionIds(context);
				assertThat(connectionIds).hasSize(4);
				if (entryPoint) {
					assertThat(connectionIds).doesNotHaveDuplicates();
				}
				else {
					assertThat(connectionIds).hasSizeGreaterThan(connectionIds.stream().distinct().toList().size());
				}
			});
	}

	/**
	 * Regression: an idle gap longer than wait_timeout between two deliveries, on HikariCP
	 * and the server's own wait_timeout.
	 */
	@Test
	void deliveryAfterAnIdleGapLongerThanWaitTimeoutMeetsNoDeadConnection(CapturedOutput output) {
		withBinding(this.contextRunner, "insert", "stream-gap")
			.withPropertyValues("spring.datasource.url=" + EmbeddedMariaDb.createDatabase("stream_gap"))
			.run((context) -> {
				InsertFunction function = context.getBean(InsertFunction.class);
				send(context, "1");
				await().atMost(TIMEOUT).until(() -> function.attempts.get() == 1);
				// The idle gap is the scenario: the server closes the pool's idle connections.
				Thread.sleep(Duration.ofSeconds(EmbeddedMariaDb.WAIT_TIMEOUT_SECONDS + 1).toMillis());
				send(context, "2");
				await().atMost(TIMEOUT).until(() -> function.attempts.get() == 2);
				assertThat(function.failures.get()).isZero();
			});
		assertThat(output).doesNotContain("Failed to validate connection");
	}

	private static List<Long> connectionIds(AssertableApplicationContext context) {
		return new JdbcTemplate(context.getBean(DataSource.class))
			.queryForList("SELECT connection_id FROM records ORDER BY id", Long.class);
	}

	@Configuration(proxyBeanMethods = false)
	static class InsertFunction {

		final AtomicInteger attempts = new AtomicInteger();

		final AtomicInteger failures = new AtomicInteger();

		@Bean
		Consumer<String> insert(DataSource dataSource) {
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			jdbc.execute("CREATE TABLE IF NOT EXISTS records (id INT PRIMARY KEY, connection_id BIGINT)");
			return (value) -> {
				try {
					jdbc.update("INSERT INTO records (id, connection_id) VALUES (?, CONNECTION_ID())",
							Integer.valueOf(value));
				}
				catch (DataAccessException ex) {
					this.failures.incrementAndGet();
					throw ex;
				}
				finally {
					this.attempts.incrementAndGet();
				}
			};
		}

	}

}
