package io.github.connectionlifecycle.amqp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.RabbitConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.EmbeddedRabbitMq;
import io.github.connectionlifecycle.testsupport.RecordedWorkEvents;
import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkFinishedEvent;
import io.github.connectionlifecycle.work.WorkKind;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.amqp.ImmediateAcknowledgeAmqpException;
import org.springframework.amqp.core.MessageListener;
import org.springframework.amqp.rabbit.annotation.Queue;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.config.DirectRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.config.RetryInterceptorBuilder;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * RabbitMQ deliveries against a real broker run in units of work: one per delivery attempt
 * of a message or a batch, on the consumer thread, for Boot's container factories (simple
 * and direct), the application's own factories and container beans, with the application's
 * advice still invoked inside the unit.
 */
class RabbitWorkBoundariesIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, RabbitConnectionLifecycleAutoConfiguration.class))
		.withBean(RecordedWorkEvents.class)
		.withPropertyValues(EmbeddedRabbitMq.properties())
		.withPropertyValues("spring.rabbitmq.listener.simple.default-requeue-rejected=false",
				"spring.rabbitmq.listener.direct.default-requeue-rejected=false");

	@ParameterizedTest
	@ValueSource(strings = { "simple", "direct" })
	void eachDeliveryOnBootsFactoryIsOneUnitOnTheConsumerThread(String containerType) {
		withListener("record-" + containerType).withPropertyValues("spring.rabbitmq.listener.type=" + containerType)
			.run((context) -> {
				send(context, "a", "b", "c");
				RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class).awaitFinished(3);
				RecordingListener listener = context.getBean(RecordingListener.class);
				assertThat(events.started()).hasSize(3)
					.allSatisfy((started) -> assertThat(started.getUnit().kind()).isEqualTo(WorkKind.RABBIT_MESSAGE));
				assertThat(events.finished()).hasSize(3).extracting(WorkFinishedEvent::getFailure).containsOnlyNulls();
				assertThat(listener.unitsSeen).containsExactlyElementsOf(events.startedUnits());
				assertThat(events.all()).extracting(RecordedWorkEvents.Recorded::thread)
					.allMatch(listener.threads::contains);
				assertThat(events.started().get(0).getUnit().name())
					.matches(context.getEnvironment().getProperty("test.queue") + "#\\d+");
			});
	}

	@Test
	void eachStatelessRetryAttemptIsAUnitOfItsOwnCarryingItsFailure() {
		withListener("retried").withPropertyValues("spring.rabbitmq.listener.simple.retry.enabled=true",
				"spring.rabbitmq.listener.simple.retry.max-attempts=2",
				"spring.rabbitmq.listener.simple.retry.initial-interval=10ms")
			.run((context) -> {
				send(context, "fail", "ok");
				RecordingListener listener = context.getBean(RecordingListener.class);
				await().atMost(TIMEOUT).until(() -> listener.values.contains("ok"));
				int attempts = listener.values.size();
				assertThat(listener.values).endsWith("ok").filteredOn("fail"::equals).hasSize(attempts - 1);
				assertThat(attempts - 1).isGreaterThan(1);
				RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class).awaitFinished(attempts);
				assertThat(events.started()).hasSize(attempts);
				assertThat(listener.unitsSeen).containsExactlyElementsOf(events.startedUnits());
				assertThat(events.finished().subList(0, attempts - 1))
					.allSatisfy((finished) -> assertThat(finished.getFailure())
						.hasRootCauseInstanceOf(IllegalStateException.class)
						.hasRootCauseMessage("listener failed on fail"));
				assertThat(events.finished().get(attempts - 1).getFailure()).isNull();
			});
	}

	@Test
	void eachRedeliveryOfAStatefulRetryIsAUnitAndSoIsItsRecovery() {
		withListener("stateful").withUserConfiguration(StatefulRetryFactoryConfiguration.class)
			.withPropertyValues("test.factory=statefulRetryFactory")
			.run((context) -> {
				send(context, "fail");
				RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class);
				// The last redelivery only recovers: the listener is not called.
				await().atMost(TIMEOUT)
					.until(() -> events.finished()
						.stream()
						.anyMatch((finished) -> finished.getFailure() instanceof ImmediateAcknowledgeAmqpException));
				RecordingListener listener = context.getBean(RecordingListener.class);
				int attempts = listener.values.size();
				assertThat(attempts).isGreaterThan(1);
				assertThat(events.started()).hasSize(attempts + 1);
				assertThat(listener.unitsSeen).containsExactlyElementsOf(events.startedUnits().subList(0, attempts));
				assertThat(events.finished().subList(0, attempts)).allSatisfy((finished) -> assertThat(
						finished.getFailure())
					.hasRootCauseMessage("listener failed on fail"));
			});
	}

	@Test
	void adviceOnTheApplicationsOwnDirectFactoryRunsInsideTheUnit() {
		withListener("user-factory").withUserConfiguration(UserFactoryConfiguration.class)
			.withPropertyValues("test.factory=userFactory")
			.run((context) -> {
				send(context, "a", "b");
				RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class).awaitFinished(2);
				RecordingAdvice advice = context.getBean(UserFactoryConfiguration.class).advice;
				assertThat(advice.unitsSeen).containsExactlyElementsOf(events.startedUnits());
				assertThat(context.getBean(RecordingListener.class).unitsSeen).containsExactlyElementsOf(events.startedUnits());
			});
	}

	@Test
	void eachBatchDeliveryIsOneUnit() {
		this.contextRunner.withUserConfiguration(BatchListener.class)
			.withPropertyValues("test.queue=" + EmbeddedRabbitMq.uniqueQueue("batch"))
			.run((context) -> {
				send(context, "a", "b", "c", "d", "e", "f");
				BatchListener listener = context.getBean(BatchListener.class);
				RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class);
				await().atMost(TIMEOUT)
					.until(() -> listener.batches.stream().mapToInt(List::size).sum() == 6
							&& events.finished().size() == listener.batches.size());
				assertThat(events.started()).hasSameSizeAs(listener.batches)
					.allSatisfy((started) -> assertThat(started.getUnit().kind()).isEqualTo(WorkKind.RABBIT_BATCH));
				assertThat(listener.unitsSeen).containsExactlyElementsOf(events.startedUnits());
			});
	}

	@Test
	void containerBeanKeepsItsAdviceAndNamesUnitsAfterItself() {
		this.contextRunner.withUserConfiguration(ContainerBeanConfiguration.class)
			.withPropertyValues("test.queue=" + EmbeddedRabbitMq.uniqueQueue("container-bean"))
			.run((context) -> {
				send(context, "a");
				RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class).awaitFinished(1);
				assertThat(context.getBean(ContainerBeanConfiguration.class).advice.unitsSeen)
					.containsExactlyElementsOf(events.startedUnits());
				assertThat(events.started().get(0).getUnit().name()).startsWith("ordersContainer ");
			});
	}

	private ApplicationContextRunner withListener(String name) {
		return this.contextRunner.withUserConfiguration(RecordingListener.class)
			.withPropertyValues("test.queue=" + EmbeddedRabbitMq.uniqueQueue(name));
	}

	private static void send(AssertableApplicationContext context, String... payloads) {
		RabbitTemplate rabbit = context.getBean(RabbitTemplate.class);
		for (String payload : payloads) {
			rabbit.convertAndSend(context.getEnvironment().getRequiredProperty("test.queue"), payload);
		}
	}

	/**
	 * A record listener that records what it saw and fails on "fail".
	 */
	static class RecordingListener {

		final List<String> values = new CopyOnWriteArrayList<>();

		final List<@Nullable UnitOfWork> unitsSeen = new CopyOnWriteArrayList<>();

		final List<String> threads = new CopyOnWriteArrayList<>();

		private final WorkBoundaries workBoundaries;

		RecordingListener(WorkBoundaries workBoundaries) {
			this.workBoundaries = workBoundaries;
		}

		@RabbitListener(queuesToDeclare = @Queue("${test.queue}"),
				containerFactory = "${test.factory:rabbitListenerContainerFactory}")
		void onMessage(String value) {
			this.values.add(value);
			this.unitsSeen.add(this.workBoundaries.currentUnit());
			this.threads.add(Thread.currentThread().getName());
			if ("fail".equals(value)) {
				throw new IllegalStateException("listener failed on " + value);
			}
		}

	}

	static class BatchListener {

		final List<List<String>> batches = new CopyOnWriteArrayList<>();

		final List<@Nullable UnitOfWork> unitsSeen = new CopyOnWriteArrayList<>();

		private final WorkBoundaries workBoundaries;

		BatchListener(WorkBoundaries workBoundaries) {
			this.workBoundaries = workBoundaries;
		}

		@Bean
		static SimpleRabbitListenerContainerFactory batchFactory(ConnectionFactory connectionFactory) {
			SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
			factory.setConnectionFactory(connectionFactory);
			factory.setBatchListener(true);
			factory.setConsumerBatchEnabled(true);
			factory.setBatchSize(3);
			factory.setReceiveTimeout(200L);
			return factory;
		}

		@RabbitListener(queuesToDeclare = @Queue("${test.queue}"), containerFactory = "batchFactory")
		void onBatch(List<String> values) {
			this.unitsSeen.add(this.workBoundaries.currentUnit());
			this.batches.add(values);
		}

	}

	/**
	 * Advice that records the unit it ran in.
	 */
	static class RecordingAdvice implements MethodInterceptor {

		final List<@Nullable UnitOfWork> unitsSeen = new CopyOnWriteArrayList<>();

		private final WorkBoundaries workBoundaries;

		RecordingAdvice(WorkBoundaries workBoundaries) {
			this.workBoundaries = workBoundaries;
		}

		@Override
		public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
			this.unitsSeen.add(this.workBoundaries.currentUnit());
			return invocation.proceed();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserFactoryConfiguration {

		final RecordingAdvice advice;

		UserFactoryConfiguration(WorkBoundaries workBoundaries) {
			this.advice = new RecordingAdvice(workBoundaries);
		}

		@Bean
		DirectRabbitListenerContainerFactory userFactory(ConnectionFactory connectionFactory) {
			DirectRabbitListenerContainerFactory factory = new DirectRabbitListenerContainerFactory();
			factory.setConnectionFactory(connectionFactory);
			factory.setAdviceChain(this.advice);
			return factory;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class StatefulRetryFactoryConfiguration {

		@Bean
		SimpleRabbitListenerContainerFactory statefulRetryFactory(ConnectionFactory connectionFactory) {
			SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
			factory.setConnectionFactory(connectionFactory);
			factory.setAdviceChain(RetryInterceptorBuilder.stateful()
				.maxRetries(2)
				.backOffOptions(10, 1.0, 10)
				.messageKeyGenerator((message) -> new String(message.getBody(), StandardCharsets.UTF_8))
				.build());
			return factory;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ContainerBeanConfiguration {

		final RecordingAdvice advice;

		ContainerBeanConfiguration(WorkBoundaries workBoundaries) {
			this.advice = new RecordingAdvice(workBoundaries);
		}

		@Bean
		org.springframework.amqp.core.Queue ordersQueue(org.springframework.core.env.Environment environment) {
			return new org.springframework.amqp.core.Queue(environment.getRequiredProperty("test.queue"));
		}

		@Bean
		SimpleMessageListenerContainer ordersContainer(ConnectionFactory connectionFactory,
				org.springframework.amqp.core.Queue ordersQueue) {
			SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
			container.setQueues(ordersQueue);
			container.setMessageListener((MessageListener) (message) -> {
			});
			container.setAdviceChain(this.advice);
			return container;
		}

	}

}
