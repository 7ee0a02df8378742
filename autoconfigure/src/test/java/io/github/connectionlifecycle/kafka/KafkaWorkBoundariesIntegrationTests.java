package io.github.connectionlifecycle.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.KafkaConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.EmbeddedKafka;
import io.github.connectionlifecycle.testsupport.RecordedWorkEvents;
import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkFinishedEvent;
import io.github.connectionlifecycle.work.WorkKind;
import io.github.connectionlifecycle.work.WorkStartedEvent;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.listener.RecordInterceptor;
import org.springframework.util.backoff.FixedBackOff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kafka deliveries against a real embedded broker run in units of work.
 */
class KafkaWorkBoundariesIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, KafkaConnectionLifecycleAutoConfiguration.class))
		.withBean(RecordedWorkEvents.class)
		.withPropertyValues("spring.kafka.bootstrap-servers=" + EmbeddedKafka.bootstrapServers(),
				"spring.kafka.consumer.auto-offset-reset=earliest");

	@Test
	void eachRecordDeliveryIsOneUnitOnTheConsumerThread() {
		withRecordListener("per-record").run((context) -> {
			send(context, "a", "b", "c");
			RecordListener listener = context.getBean(RecordListener.class);
			RecordedWorkEvents events = awaitFinished(context, 3);
			assertThat(events.started()).hasSize(3)
				.allSatisfy((started) -> assertThat(started.getUnit().kind()).isEqualTo(WorkKind.KAFKA_RECORD));
			assertThat(events.finished()).extracting(WorkFinishedEvent::getFailure).containsOnlyNulls();
			assertThat(events.finished()).extracting(WorkFinishedEvent::getUnit)
				.containsExactlyElementsOf(events.started().stream().map(WorkStartedEvent::getUnit).toList());
			assertThat(listener.unitsSeen).containsExactlyElementsOf(
					events.started().stream().map(WorkStartedEvent::getUnit).toList());
			assertThat(listener.threads).allSatisfy((thread) -> assertThat(thread).contains("-C-"));
			assertThat(events.all()).extracting(RecordedWorkEvents.Recorded::thread)
				.allMatch(listener.threads::contains);
			assertThat(events.started().get(0).getUnit().name())
				.matches(context.getEnvironment().getProperty("test.listener") + " "
						+ context.getEnvironment().getProperty("test.topic") + "-0@\\d+");
		});
	}

	@Test
	void listenerThatThrowsGetsOneFinishedEventPerAttemptCarryingTheFailure() {
		withRecordListener("failing").withBean(CommonErrorHandler.class,
				() -> new DefaultErrorHandler(new FixedBackOff(0, 2)))
			.run((context) -> {
				// Records of one partition are delivered in order: once "ok" is done, every
				// attempt at "fail" is over.
				send(context, "fail", "ok");
				RecordedWorkEvents events = awaitValueDelivered(context, "ok");
				assertThat(context.getBean(RecordListener.class).values).containsExactly("fail", "fail", "fail",
						"ok");
				assertThat(events.started()).hasSize(4);
				assertThat(events.finished()).hasSize(4);
				assertThat(events.finished().subList(0, 3)).allSatisfy((finished) -> assertThat(finished.getFailure())
					.hasRootCauseInstanceOf(IllegalStateException.class)
					.hasRootCauseMessage("listener failed on fail"));
				assertThat(events.finished().get(3).getFailure()).isNull();
			});
	}

	@Test
	void userRecordInterceptorBeanStillRunsInsideTheUnit() {
		withRecordListener("user-interceptor-bean").withBean(RecordingInterceptor.class)
			.run((context) -> {
				send(context, "a", "skip", "b");
				awaitValueDelivered(context, "b");
				RecordedWorkEvents events = awaitFinished(context, 3);
				RecordingInterceptor interceptor = context.getBean(RecordingInterceptor.class);
				assertThat(interceptor.calls).containsExactly("intercept a", "success a", "after a",
						"intercept skip", "success skip", "after skip", "intercept b", "success b", "after b");
				assertThat(interceptor.unitsSeen).containsExactlyElementsOf(
						events.started().stream().map(WorkStartedEvent::getUnit).toList());
				assertThat(context.getBean(RecordListener.class).values).containsExactly("a", "b");
				assertThat(events.started()).hasSize(3);
			});
	}

	@Test
	void interceptorSetOnAUserDefinedFactoryStillRuns() {
		withRecordListener("user-factory").withUserConfiguration(UserFactoryConfiguration.class)
			.withPropertyValues("test.factory=userFactory")
			.run((context) -> {
				send(context, "a", "b");
				RecordedWorkEvents events = awaitFinished(context, 2);
				RecordingInterceptor interceptor = context.getBean(UserFactoryConfiguration.class).interceptor;
				assertThat(interceptor.calls).containsExactly("intercept a", "success a", "after a", "intercept b",
						"success b", "after b");
				assertThat(interceptor.unitsSeen).containsExactlyElementsOf(
						events.started().stream().map(WorkStartedEvent::getUnit).toList());
			});
	}

	@Test
	void exceptionFromTheUserInterceptorReachesTheContainerAndEndsTheUnit() {
		withRecordListener("interceptor-fails").withBean(RecordingInterceptor.class)
			.withBean(CommonErrorHandler.class, () -> new DefaultErrorHandler(new FixedBackOff(0, 0)))
			.run((context) -> {
				send(context, "interceptor-fails", "ok");
				RecordedWorkEvents events = awaitValueDelivered(context, "ok");
				RecordingInterceptor interceptor = context.getBean(RecordingInterceptor.class);
				assertThat(interceptor.calls).startsWith("intercept interceptor-fails",
						"failure interceptor-fails: interceptor failed", "after interceptor-fails");
				assertThat(events.finished()).hasSize(2);
				assertThat(events.finished().get(0).getFailure()).hasMessage("interceptor failed");
			});
	}

	@Test
	void listenerContainerBeanComposesWithItsInterceptorAndNamesUnitsAfterItself() {
		String topic = EmbeddedKafka.createTopic("container-bean", 1);
		this.contextRunner.withBean("ordersContainer", ConcurrentMessageListenerContainer.class,
				() -> listenerContainer(topic))
			.run((context) -> {
				EmbeddedKafka.send(context.getBean(KafkaTemplate.class), topic, "a");
				RecordedWorkEvents events = awaitFinished(context, 1);
				@SuppressWarnings("unchecked")
				ConcurrentMessageListenerContainer<Object, Object> container = context
					.getBean(ConcurrentMessageListenerContainer.class);
				RecordingInterceptor interceptor = (RecordingInterceptor) ((WorkUnitRecordInterceptor<?, ?>) container
					.getRecordInterceptor()).getDelegate();
				assertThat(interceptor.calls).containsExactly("intercept a", "success a", "after a");
				assertThat(events.started().get(0).getUnit().name()).startsWith("ordersContainer " + topic + "-0@");
			});
	}

	@Test
	void eachBatchDeliveryIsOneUnit() {
		String topic = EmbeddedKafka.createTopic("batch", 2);
		this.contextRunner.withUserConfiguration(BatchListener.class)
			.withPropertyValues("test.topic=" + topic, "test.listener=" + EmbeddedKafka.uniqueGroup("batch"))
			.run((context) -> {
				EmbeddedKafka.send(context.getBean(KafkaTemplate.class), topic, "a", "b", "c", "d", "e", "f");
				BatchListener listener = context.getBean(BatchListener.class);
				await().atMost(TIMEOUT)
					.until(() -> listener.batches.stream().mapToInt(List::size).sum() == 6
							&& context.getBean(RecordedWorkEvents.class).finished().size() == listener.batches.size());
				RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class);
				assertThat(events.started()).hasSameSizeAs(listener.batches)
					.allSatisfy((started) -> assertThat(started.getUnit().kind()).isEqualTo(WorkKind.KAFKA_BATCH));
				assertThat(listener.unitsSeen).containsExactlyElementsOf(
						events.started().stream().map(WorkStartedEvent::getUnit).toList());
				assertThat(events.finished()).extracting(WorkFinishedEvent::getFailure).containsOnlyNulls();
			});
	}

	@Test
	void failingWorkStartedListenerDoesNotBreakDeliveries() {
		withRecordListener("failing-event-listener")
			.withBean(FailingStartedListener.class)
			.run((context) -> {
				send(context, "a", "b", "c");
				awaitValueDelivered(context, "c");
				assertThat(context.getBean(RecordListener.class).values).containsExactly("a", "b", "c");
				assertThat(awaitFinished(context, 3).finished()).extracting(WorkFinishedEvent::getFailure)
					.containsOnlyNulls();
				assertThat(context.getBean(WorkBoundaries.class).getListenerFailureCount()).isEqualTo(3);
			});
	}

	@Test
	void nestedUnitInsideTheListenerFiresNothingExtra() {
		withRecordListener("nested").run((context) -> {
			send(context, "nested", "ok");
			RecordedWorkEvents events = awaitValueDelivered(context, "ok");
			assertThat(context.getBean(RecordListener.class).nestedUnitsRun).isEqualTo(1);
			assertThat(events.started()).hasSize(2)
				.allSatisfy((started) -> assertThat(started.getUnit().kind()).isEqualTo(WorkKind.KAFKA_RECORD));
			assertThat(events.finished()).hasSize(2);
		});
	}

	@Test
	void transactionalListenerGetsOneUnitPerDeliveryStartedBeforeTheTransaction() {
		withRecordListener("transactional").withPropertyValues("spring.kafka.producer.transaction-id-prefix=tx-")
			.withBean(TransactionStateAtStart.class)
			.run((context) -> {
				KafkaTemplate<Object, Object> kafka = context.getBean(KafkaTemplate.class);
				kafka.executeInTransaction((operations) -> operations.send(
						context.getEnvironment().getProperty("test.topic"), "ok"));
				RecordedWorkEvents events = awaitValueDelivered(context, "ok");
				RecordListener listener = context.getBean(RecordListener.class);
				assertThat(listener.inTransaction).containsExactly(true);
				assertThat(context.getBean(TransactionStateAtStart.class).inTransaction).containsExactly(false);
				assertThat(events.started()).hasSize(1);
				assertThat(events.finished()).hasSize(1);
			});
	}

	private ApplicationContextRunner withRecordListener(String name) {
		return this.contextRunner.withUserConfiguration(RecordListener.class)
			.withPropertyValues("test.topic=" + EmbeddedKafka.createTopic(name, 1),
					"test.listener=" + EmbeddedKafka.uniqueGroup(name));
	}

	private static void send(AssertableApplicationContext context, String... values) {
		EmbeddedKafka.send(context.getBean(KafkaTemplate.class), context.getEnvironment().getProperty("test.topic"),
				values);
	}

	private static RecordedWorkEvents awaitFinished(AssertableApplicationContext context, int count) {
		RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class);
		await().atMost(TIMEOUT).until(() -> events.finished().size() >= count);
		return events;
	}

	/**
	 * Waits until the delivery of a value has finished, its unit of work included.
	 */
	private static RecordedWorkEvents awaitValueDelivered(AssertableApplicationContext context, String value) {
		RecordListener listener = context.getBean(RecordListener.class);
		RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class);
		await().atMost(TIMEOUT).until(() -> {
			int index = listener.values.lastIndexOf(value);
			return index >= 0 && events.finished().stream()
				.anyMatch((finished) -> finished.getUnit().equals(listener.unitsSeen.get(index)));
		});
		return events;
	}

	private static ConcurrentMessageListenerContainer<Object, Object> listenerContainer(String topic) {
		ContainerProperties properties = new ContainerProperties(topic);
		properties.setGroupId(EmbeddedKafka.uniqueGroup("container-bean"));
		properties.setMessageListener((MessageListener<Object, Object>) (record) -> {
		});
		ConcurrentMessageListenerContainer<Object, Object> container = new ConcurrentMessageListenerContainer<>(
				new DefaultKafkaConsumerFactory<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
						EmbeddedKafka.bootstrapServers(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
						ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
						ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class)),
				properties);
		container.setRecordInterceptor(new RecordingInterceptor(null));
		return container;
	}

	/**
	 * A record listener whose behaviour depends on the value it receives.
	 */
	static class RecordListener {

		final List<String> values = new CopyOnWriteArrayList<>();

		final List<@Nullable UnitOfWork> unitsSeen = new CopyOnWriteArrayList<>();

		final List<String> threads = new CopyOnWriteArrayList<>();

		final List<Boolean> inTransaction = new CopyOnWriteArrayList<>();

		volatile int nestedUnitsRun;

		private final WorkBoundaries workBoundaries;

		private final KafkaTemplate<?, ?> kafkaTemplate;

		RecordListener(WorkBoundaries workBoundaries, KafkaTemplate<?, ?> kafkaTemplate) {
			this.workBoundaries = workBoundaries;
			this.kafkaTemplate = kafkaTemplate;
		}

		@KafkaListener(id = "${test.listener}", topics = "${test.topic}",
				containerFactory = "${test.factory:kafkaListenerContainerFactory}")
		void onMessage(String value) {
			this.unitsSeen.add(this.workBoundaries.currentUnit());
			this.threads.add(Thread.currentThread().getName());
			this.inTransaction.add(this.kafkaTemplate.inTransaction());
			this.values.add(value);
			if (value.equals("fail")) {
				throw new IllegalStateException("listener failed on " + value);
			}
			if (value.equals("nested")) {
				this.workBoundaries.run("nested", () -> this.nestedUnitsRun++);
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

		@KafkaListener(id = "${test.listener}", topics = "${test.topic}", batch = "true")
		void onBatch(List<String> values) {
			this.unitsSeen.add(this.workBoundaries.currentUnit());
			this.batches.add(values);
		}

	}

	/**
	 * An application's own interceptor: records its calls and the unit they ran in, skips
	 * "skip" and fails on "interceptor-fails".
	 */
	static class RecordingInterceptor implements RecordInterceptor<Object, Object> {

		final List<String> calls = new CopyOnWriteArrayList<>();

		final List<@Nullable UnitOfWork> unitsSeen = new CopyOnWriteArrayList<>();

		private final @Nullable WorkBoundaries workBoundaries;

		RecordingInterceptor(@Nullable WorkBoundaries workBoundaries) {
			this.workBoundaries = workBoundaries;
		}

		@Override
		public @Nullable ConsumerRecord<Object, Object> intercept(ConsumerRecord<Object, Object> record,
				Consumer<Object, Object> consumer) {
			this.calls.add("intercept " + record.value());
			if (this.workBoundaries != null) {
				this.unitsSeen.add(this.workBoundaries.currentUnit());
			}
			if ("interceptor-fails".equals(record.value())) {
				throw new IllegalStateException("interceptor failed");
			}
			return "skip".equals(record.value()) ? null : record;
		}

		@Override
		public void success(ConsumerRecord<Object, Object> record,
				Consumer<Object, Object> consumer) {
			this.calls.add("success " + record.value());
		}

		@Override
		public void failure(ConsumerRecord<Object, Object> record, Exception exception,
				Consumer<Object, Object> consumer) {
			this.calls.add("failure " + record.value() + ": " + exception.getMessage());
		}

		@Override
		public void afterRecord(ConsumerRecord<Object, Object> record,
				Consumer<Object, Object> consumer) {
			this.calls.add("after " + record.value());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserFactoryConfiguration {

		final RecordingInterceptor interceptor;

		UserFactoryConfiguration(WorkBoundaries workBoundaries) {
			this.interceptor = new RecordingInterceptor(workBoundaries);
		}

		@Bean
		ConcurrentKafkaListenerContainerFactory<Object, Object> userFactory(
				ConsumerFactory<Object, Object> consumerFactory) {
			ConcurrentKafkaListenerContainerFactory<Object, Object> factory = new ConcurrentKafkaListenerContainerFactory<>();
			factory.setConsumerFactory(consumerFactory);
			factory.setRecordInterceptor(this.interceptor);
			return factory;
		}

	}

	static class TransactionStateAtStart implements ApplicationListener<WorkStartedEvent> {

		final List<Boolean> inTransaction = new CopyOnWriteArrayList<>();

		private final KafkaTemplate<?, ?> kafkaTemplate;

		TransactionStateAtStart(KafkaTemplate<?, ?> kafkaTemplate) {
			this.kafkaTemplate = kafkaTemplate;
		}

		@Override
		public void onApplicationEvent(WorkStartedEvent event) {
			this.inTransaction.add(this.kafkaTemplate.inTransaction());
		}

	}

	static class FailingStartedListener implements ApplicationListener<WorkStartedEvent> {

		@Override
		public void onApplicationEvent(WorkStartedEvent event) {
			throw new IllegalStateException("listener of started events failed");
		}

	}

}
