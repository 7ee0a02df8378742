package io.github.connectionlifecycle.jms;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.JmsConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.RecordedWorkEvents;
import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkFinishedEvent;
import io.github.connectionlifecycle.work.WorkKind;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.MessageListener;
import jakarta.jms.Session;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.artemis.autoconfigure.ArtemisAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jms.autoconfigure.JmsAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jms.annotation.JmsListener;
import org.springframework.jms.config.DefaultJmsListenerContainerFactory;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.jms.listener.DefaultMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * JMS messages delivered by Boot's embedded ActiveMQ Artemis run in units of work: one per
 * message, on the listener thread, for Boot's container factory (session-transacted, as Boot
 * configures it), the application's own factory and container beans.
 */
class JmsWorkBoundariesIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ArtemisAutoConfiguration.class, JmsAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, JmsConnectionLifecycleAutoConfiguration.class))
		.withBean(RecordedWorkEvents.class)
		.withPropertyValues("test.queue=orders");

	@Test
	void eachMessageIsOneUnitOnTheListenerThread() {
		this.contextRunner.withUserConfiguration(RecordingListener.class).run((context) -> {
			send(context, "a", "b", "c");
			RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class).awaitFinished(3);
			RecordingListener listener = context.getBean(RecordingListener.class);
			assertThat(events.started()).hasSize(3)
				.allSatisfy((started) -> assertThat(started.getUnit().kind()).isEqualTo(WorkKind.JMS_MESSAGE));
			assertThat(events.finished()).hasSize(3).extracting(WorkFinishedEvent::getFailure).containsOnlyNulls();
			assertThat(listener.unitsSeen).containsExactlyElementsOf(events.startedUnits());
			assertThat(events.all()).extracting(RecordedWorkEvents.Recorded::thread)
				.allMatch(listener.threads::contains);
			assertThat(events.started().get(0).getUnit().name()).startsWith("org.springframework.jms.")
				.contains("orders");
		});
	}

	@Test
	void aFailedSessionTransactionEndsItsUnitWithTheFailureAndTheRedeliveryIsAUnitOfItsOwn() {
		this.contextRunner.withUserConfiguration(RecordingListener.class).run((context) -> {
			send(context, "fail-once", "ok");
			RecordingListener listener = context.getBean(RecordingListener.class);
			await().atMost(TIMEOUT).until(() -> listener.values.contains("ok"));
			RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class).awaitFinished(3);
			assertThat(listener.values).containsExactly("fail-once", "fail-once", "ok");
			// Boot's container is session-transacted: the unit runs inside the session's transaction.
			assertThat(listener.inSessionTransaction).containsOnly(true);
			assertThat(events.finished()).hasSize(3);
			assertThat(events.finished().get(0).getFailure()).hasRootCauseMessage("listener failed on fail-once");
			assertThat(events.finished().subList(1, 3)).extracting(WorkFinishedEvent::getFailure).containsOnlyNulls();
		});
	}

	@Test
	void listenersOfTheApplicationsOwnFactoryRunInUnitsAndTheFactoryKeepsItsType() {
		this.contextRunner.withUserConfiguration(RecordingListener.class, UserFactoryConfiguration.class)
			.withPropertyValues("test.factory=userFactory")
			.run((context) -> {
				assertThat(context.getBean("userFactory")).isInstanceOf(DefaultJmsListenerContainerFactory.class);
				send(context, "a", "b");
				RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class).awaitFinished(2);
				assertThat(context.getBean(RecordingListener.class).unitsSeen).containsExactlyElementsOf(events.startedUnits());
			});
	}

	@Test
	void containerBeanNamesUnitsAfterItself() {
		this.contextRunner.withUserConfiguration(ContainerBeanConfiguration.class).run((context) -> {
			send(context, "a");
			RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class).awaitFinished(1);
			assertThat(context.getBean(ContainerBeanConfiguration.class).unitsSeen)
				.containsExactlyElementsOf(events.startedUnits());
			assertThat(events.started().get(0).getUnit().name()).startsWith("ordersContainer ");
		});
	}

	private static void send(AssertableApplicationContext context, String... payloads) {
		JmsTemplate jms = context.getBean(JmsTemplate.class);
		for (String payload : payloads) {
			jms.convertAndSend(context.getEnvironment().getRequiredProperty("test.queue"), payload);
		}
	}

	/**
	 * A listener that records what it saw and fails the first delivery of "fail-once".
	 */
	static class RecordingListener {

		final List<String> values = new CopyOnWriteArrayList<>();

		final List<@Nullable UnitOfWork> unitsSeen = new CopyOnWriteArrayList<>();

		final List<String> threads = new CopyOnWriteArrayList<>();

		final List<Boolean> inSessionTransaction = new CopyOnWriteArrayList<>();

		private final WorkBoundaries workBoundaries;

		RecordingListener(WorkBoundaries workBoundaries) {
			this.workBoundaries = workBoundaries;
		}

		@JmsListener(destination = "${test.queue}",
				containerFactory = "${test.factory:jmsListenerContainerFactory}")
		void onMessage(String value, Session session) throws JMSException {
			this.unitsSeen.add(this.workBoundaries.currentUnit());
			this.threads.add(Thread.currentThread().getName());
			this.inSessionTransaction.add(session.getTransacted());
			boolean firstAttempt = !this.values.contains(value);
			this.values.add(value);
			if ("fail-once".equals(value) && firstAttempt) {
				throw new IllegalStateException("listener failed on " + value);
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserFactoryConfiguration {

		@Bean
		DefaultJmsListenerContainerFactory userFactory(ConnectionFactory connectionFactory) {
			DefaultJmsListenerContainerFactory factory = new DefaultJmsListenerContainerFactory();
			factory.setConnectionFactory(connectionFactory);
			return factory;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ContainerBeanConfiguration {

		final List<@Nullable UnitOfWork> unitsSeen = new CopyOnWriteArrayList<>();

		@Bean
		DefaultMessageListenerContainer ordersContainer(ConnectionFactory connectionFactory,
				WorkBoundaries workBoundaries) {
			DefaultMessageListenerContainer container = new DefaultMessageListenerContainer();
			container.setConnectionFactory(connectionFactory);
			container.setDestinationName("orders");
			container.setMessageListener((MessageListener) (message) -> this.unitsSeen
				.add(workBoundaries.currentUnit()));
			return container;
		}

	}

}
