package io.github.connectionlifecycle.amqp;

import java.time.Duration;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.RabbitConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.DeliveryScenarios;
import io.github.connectionlifecycle.testsupport.DeliveryScenarios.Sender;
import io.github.connectionlifecycle.testsupport.EmbeddedRabbitMq;
import io.github.connectionlifecycle.testsupport.JdbcDeliveries;
import io.github.connectionlifecycle.testsupport.RecordedWorkEvents;
import io.github.connectionlifecycle.testsupport.RetirementRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.amqp.rabbit.annotation.Queue;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the units of RabbitMQ deliveries do for the database, against a real broker and the
 * embedded MariaDB: after a {@code KILL} of every session, on a pool that trusts recently
 * validated connections, at most the first delivery fails; with health checks none does;
 * with {@code max-age: 0} every delivery gets a session no earlier one used; idle gaps past
 * {@code wait_timeout} cost nothing (the background sweep sees to that with or without units:
 * a regression test). Failed deliveries are not requeued, so each delivery is one attempt.
 */
@ExtendWith(OutputCaptureExtension.class)
class RabbitDeliveryFaultsIntegrationTest {

	private static final Sender RABBIT = (context, payload) -> context.getBean(RabbitTemplate.class)
		.convertAndSend(context.getEnvironment().getRequiredProperty("test.queue"), payload);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class, DataSourceAutoConfiguration.class,
				JdbcTemplateAutoConfiguration.class, ConnectionLifecycleAutoConfiguration.class,
				DataSourceConnectionLifecycleAutoConfiguration.class,
				RabbitConnectionLifecycleAutoConfiguration.class))
		.withBean(JdbcDeliveries.class)
		.withBean(JdbcListener.class)
		.withBean(RetirementRecorder.class)
		.withBean(RecordedWorkEvents.class)
		.withPropertyValues(EmbeddedRabbitMq.properties())
		.withPropertyValues("spring.rabbitmq.listener.simple.default-requeue-rejected=false");

	@Test
	void afterAKillAtMostTheFirstDeliveryFailsAndItsSiblingsAreRetired() {
		withQueue("rabbit_kill").withPropertyValues(DeliveryScenarios.tomcatTrustingValidatedConnections("rabbit_kill"))
			.run((context) -> DeliveryScenarios.killFailsAtMostTheFirstUnit(context, RABBIT));
	}

	@Test
	void afterAKillAStatelessRetryOfTheFailedDeliverySucceeds() {
		withQueue("rabbit_kill_retried")
			.withPropertyValues(DeliveryScenarios.tomcatTrustingValidatedConnections("rabbit_kill_retried"))
			.withPropertyValues("spring.rabbitmq.listener.simple.retry.enabled=true",
					"spring.rabbitmq.listener.simple.retry.initial-interval=10ms")
			.run((context) -> {
				DeliveryScenarios.killFailsAtMostTheFirstUnit(context, RABBIT);
				JdbcDeliveries deliveries = context.getBean(JdbcDeliveries.class);
				await().atMost(Duration.ofSeconds(30))
					.until(() -> deliveries.attempts().size() - deliveries.failures() == DeliveryScenarios.DELIVERIES + 1);
			});
	}

	@Test
	void afterAKillWithHealthChecksNoDeliveryFails() {
		withQueue("rabbit_kill_checked")
			.withPropertyValues(DeliveryScenarios.tomcatTrustingValidatedConnections("rabbit_kill_checked"))
			.withPropertyValues("connection.health-checks=true")
			.run((context) -> DeliveryScenarios.killFailsNoUnitWithHealthChecks(context, RABBIT));
	}

	@Test
	void withMaxAgeZeroEveryDeliveryGetsASessionNoEarlierOneUsed() {
		withQueue("rabbit_max_age").withPropertyValues(DeliveryScenarios.hikari("rabbit_max_age"))
			.withPropertyValues("connection.max-age=0")
			.run((context) -> DeliveryScenarios.everyUnitGetsANewSession(context, RABBIT));
	}

	@Test
	void deliveriesAfterIdleGapsMeetNoDeadConnection(CapturedOutput output) {
		withQueue("rabbit_gap").withPropertyValues(DeliveryScenarios.hikari("rabbit_gap"))
			.run((context) -> DeliveryScenarios.idleGapsFailNothing(context, RABBIT));
		assertThat(output).doesNotContain("Failed to validate connection");
	}

	private ApplicationContextRunner withQueue(String name) {
		return this.contextRunner.withPropertyValues("test.queue=" + EmbeddedRabbitMq.uniqueQueue(name));
	}

	static class JdbcListener {

		private final JdbcDeliveries deliveries;

		JdbcListener(JdbcDeliveries deliveries) {
			this.deliveries = deliveries;
		}

		@RabbitListener(queuesToDeclare = @Queue("${test.queue}"))
		void onMessage(String payload) {
			this.deliveries.handle(payload);
		}

	}

}
