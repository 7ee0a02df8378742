package io.github.connectionlifecycle.containers;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.KafkaConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.testsupport.JdbcDeliveries;
import io.github.connectionlifecycle.testsupport.JdbcDeliveries.Attempt;
import io.github.connectionlifecycle.testsupport.RetirementRecorder;
import io.github.connectionlifecycle.testsupport.Sql;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.mysql.MySQLContainer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.test.context.TestPropertySource;
import org.springframework.util.backoff.FixedBackOff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The seed's scenario on the servers its users run: a Kafka listener writing to MySQL 8.4,
 * both in containers wired by Boot's {@code @ServiceConnection}, with MySQL's wait_timeout
 * at {@value #WAIT_TIMEOUT_SECONDS} s (MySQL 8.0.24+ sends error 4031 before closing an idle
 * connection). Deliveries after idle gaps, after a KILL of every session, and with
 * {@code connection.max-age: 0}. Skipped where no Docker daemon is reachable.
 */
@Testcontainers(disabledWithoutDocker = true)
@SpringBootTest(classes = MySql84ContainersIntegrationTest.SeedApplication.class,
		properties = { "spring.kafka.consumer.auto-offset-reset=earliest", "test.topic=seed" })
class MySql84ContainersIntegrationTest {

	static final int WAIT_TIMEOUT_SECONDS = 2;

	private static final int DELIVERIES = 5;

	@Container
	@ServiceConnection
	static final MySQLContainer mysql = new MySQLContainer("mysql:8.4")
		.withCommand("--wait-timeout=" + WAIT_TIMEOUT_SECONDS);

	@Container
	@ServiceConnection
	static final KafkaContainer kafka = new KafkaContainer("apache/kafka-native:3.8.0");

	@Autowired
	private KafkaTemplate<String, String> kafkaTemplate;

	@Autowired
	private JdbcDeliveries deliveries;

	@Autowired
	private RetirementRecorder retirements;

	@Value("${test.topic}")
	private String topic;

	@Test
	void deliveriesAfterIdleGapsLongerThanWaitTimeoutDoNotFail() throws Exception {
		deliver("warm-up");
		for (int gap = 1; gap <= 2; gap++) {
			// The idle gap is the scenario: MySQL closes the pool's connections meanwhile.
			Thread.sleep(TimeUnit.SECONDS.toMillis(WAIT_TIMEOUT_SECONDS + 1));
			deliver("after-gap-" + gap);
		}
		assertThat(this.deliveries.failures()).isZero();
		assertThat(this.retirements.reasons()).isNotEmpty();
	}

	@Test
	void aKillOfEverySessionFailsAtMostTheFirstDelivery() throws Exception {
		deliver("before-kill");
		await().atMost(Duration.ofSeconds(20)).until(() -> killSessions() == 0);
		int failuresBefore = this.deliveries.failures();
		for (int i = 1; i <= DELIVERIES; i++) {
			deliver("after-kill-" + i);
		}
		List<Attempt> attempts = this.deliveries.attempts();
		assertThat(this.deliveries.failures() - failuresBefore).isLessThanOrEqualTo(1);
		assertThat(attempts.get(attempts.size() - 1).failure()).isNull();
		assertThat(this.retirements.reasons()).containsAnyOf(RetirementReason.BROKEN,
				RetirementReason.CLOSED_BY_SERVER);
	}

	/** With {@code connection.max-age: 0}: a context of its own, on a topic of its own. */
	@Nested
	@TestPropertySource(properties = { "connection.max-age=0", "test.topic=max-age-zero" })
	class MaxAgeZero {

		// Injected from this class's own context, not the enclosing one's.
		@Autowired
		private KafkaTemplate<String, String> kafkaTemplate;

		@Autowired
		private JdbcDeliveries deliveries;

		@Value("${test.topic}")
		private String topic;

		@Test
		void everyDeliveryGetsANewSession() throws Exception {
			for (int i = 1; i <= DELIVERIES; i++) {
				deliver(this.kafkaTemplate, this.topic, this.deliveries, "max-age-" + i);
			}
			assertThat(this.deliveries.attempts()).extracting(Attempt::sessionId)
				.doesNotContainNull()
				.doesNotHaveDuplicates()
				.hasSize(DELIVERIES);
		}

	}

	private void deliver(String payload) throws Exception {
		deliver(this.kafkaTemplate, this.topic, this.deliveries, payload);
	}

	/** Sends a payload and waits until the listener has handled it. */
	private static void deliver(KafkaTemplate<String, String> kafkaTemplate, String topic, JdbcDeliveries deliveries,
			String payload) throws Exception {
		kafkaTemplate.send(topic, payload).get(30, TimeUnit.SECONDS);
		await().atMost(Duration.ofSeconds(60)).until(() -> deliveries.attemptsAt(payload) > 0);
	}

	/** Kills every session of the application's database, as root. */
	private static int killSessions() throws SQLException {
		try (Connection admin = DriverManager.getConnection(mysql.getJdbcUrl(), "root", mysql.getPassword());
				Statement statement = admin.createStatement()) {
			List<Long> ids = Sql.sessionIds(admin, mysql.getDatabaseName());
			for (long id : ids) {
				try {
					statement.execute("KILL " + id);
				}
				catch (SQLException ex) {
					// the session ended on its own in between
				}
			}
			return ids.size();
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
			KafkaAutoConfiguration.class, ConnectionLifecycleAutoConfiguration.class,
			DataSourceConnectionLifecycleAutoConfiguration.class, KafkaConnectionLifecycleAutoConfiguration.class })
	@Import({ JdbcDeliveries.class, RetirementRecorder.class, SeedListener.class })
	static class SeedApplication {

		/** A delivery that fails is not retried: each delivery is one attempt. */
		@Bean
		CommonErrorHandler noRetries() {
			return new DefaultErrorHandler(new FixedBackOff(0, 0));
		}

	}

	/** The seed's listener: each record is written through the pool. */
	static class SeedListener {

		private final JdbcDeliveries deliveries;

		SeedListener(JdbcDeliveries deliveries) {
			this.deliveries = deliveries;
		}

		@KafkaListener(id = "${test.topic}", topics = "${test.topic}")
		void onRecord(String payload) {
			this.deliveries.handle(payload);
		}

	}

}
