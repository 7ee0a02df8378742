package io.github.connectionlifecycle.kafka;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.KafkaConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.EmbeddedKafka;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The seed: a Kafka listener that writes each record to the database, with records
 * arriving 3 s apart, longer than the server's wait_timeout of 2 s, so every delivery after
 * the first starts after the server closed the pool's connections. Error-handler retries
 * are off, so a delivery that meets a dead connection counts as failed. With the starter
 * off, HikariCP walks through the dead connections, which shows the test can fail.
 */
@ExtendWith(OutputCaptureExtension.class)
class KafkaIdleGapIntegrationTest {

	private static final String HIKARI_VALIDATION_WARNING = "Failed to validate connection";

	private static final int RECORDS = 5;

	private static final Duration IDLE_GAP = Duration
		.ofSeconds(EmbeddedMariaDb.WAIT_TIMEOUT_SECONDS + 1);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class, DataSourceAutoConfiguration.class,
				JdbcTemplateAutoConfiguration.class, ConnectionLifecycleAutoConfiguration.class,
				DataSourceConnectionLifecycleAutoConfiguration.class,
				KafkaConnectionLifecycleAutoConfiguration.class))
		.withBean(IdleGapListener.class)
		.withBean(CommonErrorHandler.class, () -> new DefaultErrorHandler(new FixedBackOff(0, 0)))
		.withPropertyValues("spring.kafka.bootstrap-servers=" + EmbeddedKafka.bootstrapServers(),
				"spring.kafka.consumer.auto-offset-reset=earliest",
				"spring.datasource.username=" + EmbeddedMariaDb.username(),
				"spring.datasource.password=" + EmbeddedMariaDb.password());

	@Test
	void deliveriesAfterIdleGapsMeetNoDeadConnection(CapturedOutput output) {
		withFreshTopicAndDatabase("kafka_gap").run((context) -> {
			IdleGapListener listener = deliverAfterIdleGaps(context);
			assertThat(listener.failures()).isZero();
		});
		assertThat(output).doesNotContain(HIKARI_VALIDATION_WARNING);
	}

	@Test
	void withoutDeliveryUnitsHikariWalksThroughDeadConnections(CapturedOutput output) {
		withFreshTopicAndDatabase("kafka_gap_off").withPropertyValues("connection.enabled=false")
			.run(KafkaIdleGapIntegrationTest::deliverAfterIdleGaps);
		assertThat(output).contains(HIKARI_VALIDATION_WARNING);
	}

	private ApplicationContextRunner withFreshTopicAndDatabase(String name) {
		return this.contextRunner.withPropertyValues("spring.datasource.url=" + EmbeddedMariaDb.createDatabase(name),
				"test.topic=" + EmbeddedKafka.createTopic(name, 1), "test.listener=" + EmbeddedKafka.uniqueGroup(name));
	}

	private static IdleGapListener deliverAfterIdleGaps(AssertableApplicationContext context) throws Exception {
		context.getBean(JdbcTemplate.class).execute("CREATE TABLE deliveries (payload VARCHAR(32) NOT NULL)");
		@SuppressWarnings("unchecked")
		KafkaTemplate<Object, Object> kafka = context.getBean(KafkaTemplate.class);
		IdleGapListener listener = context.getBean(IdleGapListener.class);
		for (int i = 1; i <= RECORDS; i++) {
			// The idle gap is the scenario: the server closes the pool's connections meanwhile.
			Thread.sleep(IDLE_GAP.toMillis());
			kafka.send(context.getEnvironment().getProperty("test.topic"), "record-" + i).get(30, TimeUnit.SECONDS);
			int delivered = i;
			await().atMost(Duration.ofSeconds(60)).until(() -> listener.deliveries() >= delivered);
		}
		return listener;
	}

	static class IdleGapListener {

		private final JdbcTemplate jdbc;

		private final AtomicInteger deliveries = new AtomicInteger();

		private final AtomicInteger failures = new AtomicInteger();

		IdleGapListener(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@KafkaListener(id = "${test.listener}", topics = "${test.topic}")
		void onRecord(String payload) {
			try {
				this.jdbc.update("INSERT INTO deliveries (payload) VALUES (?)", payload);
			}
			catch (DataAccessException ex) {
				this.failures.incrementAndGet();
				throw ex;
			}
			finally {
				this.deliveries.incrementAndGet();
			}
		}

		int deliveries() {
			return this.deliveries.get();
		}

		int failures() {
			return this.failures.get();
		}

	}

}
