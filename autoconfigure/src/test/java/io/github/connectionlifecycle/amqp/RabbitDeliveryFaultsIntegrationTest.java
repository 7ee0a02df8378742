package io.github.connectionlifecycle.amqp;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.RabbitConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.testsupport.DeliveryScenarios;
import io.github.connectionlifecycle.testsupport.DeliveryScenarios.Sender;
import io.github.connectionlifecycle.testsupport.EmbeddedRabbitMq;
import io.github.connectionlifecycle.testsupport.JdbcDeliveries;
import io.github.connectionlifecycle.testsupport.JdbcDeliveries.Attempt;
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

/**
 * What the units of RabbitMQ deliveries do for the database, against a real broker and the
 * embedded MariaDB: after a {@code KILL} of every session, on a pool that trusts recently
 * validated connections, at most the first delivery fails; with {@code max-age: 0} every
 * delivery gets a session no earlier one used; idle gaps past {@code wait_timeout} cost
 * nothing (the background sweep sees to that with or without units: a regression test).
 * Without units, a {@code KILL} still fails a single delivery, since a broken connection is
 * retired with its siblings when it is returned; what units add is the health check and the
 * failure carried on the unit. Failed deliveries are not requeued, so each delivery is one attempt.
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
			.run((context) -> {
				JdbcDeliveries deliveries = DeliveryScenarios.deliverAfterKill(context, RABBIT);
				assertThat(deliveries.failures()).isLessThanOrEqualTo(1);
				assertThat(deliveries.attempts().get(DeliveryScenarios.DELIVERIES).failure()).isNull();
				// Each delivery was a unit, and the one that met the dead connection ended with it.
				assertThat(context.getBean(RecordedWorkEvents.class).finished())
					.hasSize(DeliveryScenarios.DELIVERIES + 1)
					.filteredOn((finished) -> finished.getFailure() != null)
					.hasSize(deliveries.failures());
				assertThat(context.getBean(RetirementRecorder.class).reasons()).contains(RetirementReason.BROKEN,
						RetirementReason.SIBLING_BROKEN);
			});
	}

	@Test
	void afterAKillWithHealthChecksNoDeliveryFails() {
		withQueue("rabbit_kill_checked")
			.withPropertyValues(DeliveryScenarios.tomcatTrustingValidatedConnections("rabbit_kill_checked"))
			.withPropertyValues("connection.health-checks=true")
			.run((context) -> assertThat(DeliveryScenarios.deliverAfterKill(context, RABBIT).failures()).isZero());
	}

	@Test
	void withMaxAgeZeroEveryDeliveryGetsASessionNoEarlierOneUsed() {
		withQueue("rabbit_max_age").withPropertyValues(DeliveryScenarios.hikari("rabbit_max_age"))
			.withPropertyValues("connection.max-age=0")
			.run((context) -> {
				JdbcDeliveries deliveries = DeliveryScenarios.deliverBackToBack(context, RABBIT);
				assertThat(deliveries.attempts()).extracting(Attempt::sessionId)
					.doesNotContainNull()
					.doesNotHaveDuplicates()
					.hasSize(DeliveryScenarios.DELIVERIES);
			});
	}

	@Test
	void deliveriesAfterIdleGapsMeetNoDeadConnection(CapturedOutput output) {
		withQueue("rabbit_gap").withPropertyValues(DeliveryScenarios.hikari("rabbit_gap"))
			.run((context) -> assertThat(DeliveryScenarios.deliverAfterIdleGaps(context, RABBIT, 2).failures())
				.isZero());
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
