package io.github.connectionlifecycle.jms;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.JmsConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.DeliveryScenarios;
import io.github.connectionlifecycle.testsupport.DeliveryScenarios.Sender;
import io.github.connectionlifecycle.testsupport.JdbcDeliveries;
import io.github.connectionlifecycle.testsupport.RecordedWorkEvents;
import io.github.connectionlifecycle.testsupport.RetirementRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.artemis.autoconfigure.ArtemisAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.jms.autoconfigure.JmsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jms.annotation.JmsListener;
import org.springframework.jms.core.JmsTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the units of JMS messages do for the database, against Boot's embedded ActiveMQ
 * Artemis and the embedded MariaDB, as {@code RabbitDeliveryFaultsIntegrationTest} does for
 * RabbitMQ. The listener's session is not transacted here (messages are acknowledged when
 * received), so that a failed message is not redelivered and each message is one attempt.
 */
@ExtendWith(OutputCaptureExtension.class)
class JmsDeliveryFaultsIntegrationTest {

	private static final Sender JMS = (context, payload) -> context.getBean(JmsTemplate.class)
		.convertAndSend(context.getEnvironment().getRequiredProperty("test.queue"), payload);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ArtemisAutoConfiguration.class, JmsAutoConfiguration.class,
				DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, DataSourceConnectionLifecycleAutoConfiguration.class,
				JmsConnectionLifecycleAutoConfiguration.class))
		.withBean(JdbcDeliveries.class)
		.withBean(JdbcListener.class)
		.withBean(RetirementRecorder.class)
		.withBean(RecordedWorkEvents.class)
		.withPropertyValues("spring.jms.listener.session.transacted=false", "test.queue=deliveries");

	@Test
	void afterAKillAtMostTheFirstMessageFailsAndItsSiblingsAreRetired() {
		this.contextRunner.withPropertyValues(DeliveryScenarios.tomcatTrustingValidatedConnections("jms_kill"))
			.run((context) -> DeliveryScenarios.killFailsAtMostTheFirstUnit(context, JMS));
	}

	@Test
	void afterAKillWithHealthChecksNoMessageFails() {
		this.contextRunner.withPropertyValues(DeliveryScenarios.tomcatTrustingValidatedConnections("jms_kill_checked"))
			.withPropertyValues("connection.health-checks=true")
			.run((context) -> DeliveryScenarios.killFailsNoUnitWithHealthChecks(context, JMS));
	}

	@Test
	void withMaxAgeZeroEveryMessageGetsASessionNoEarlierOneUsed() {
		this.contextRunner.withPropertyValues(DeliveryScenarios.hikari("jms_max_age"))
			.withPropertyValues("connection.max-age=0")
			.run((context) -> DeliveryScenarios.everyUnitGetsANewSession(context, JMS));
	}

	@Test
	void messagesAfterIdleGapsMeetNoDeadConnection(CapturedOutput output) {
		this.contextRunner.withPropertyValues(DeliveryScenarios.hikari("jms_gap"))
			.run((context) -> DeliveryScenarios.idleGapsFailNothing(context, JMS));
		assertThat(output).doesNotContain("Failed to validate connection");
	}

	static class JdbcListener {

		private final JdbcDeliveries deliveries;

		JdbcListener(JdbcDeliveries deliveries) {
			this.deliveries = deliveries;
		}

		@JmsListener(destination = "${test.queue}")
		void onMessage(String payload) {
			this.deliveries.handle(payload);
		}

	}

}
