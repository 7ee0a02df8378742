package io.github.connectionlifecycle.stream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.KafkaConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.StreamConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.EmbeddedKafka;
import io.github.connectionlifecycle.testsupport.RecordedWorkEvents;
import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkKind;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.function.cloudevent.CloudEventsFunctionExtensionConfiguration;
import org.springframework.cloud.function.context.config.ContextFunctionCatalogAutoConfiguration;
import org.springframework.cloud.stream.binder.kafka.config.ExtendedBindingHandlerMappingsProviderConfiguration;
import org.springframework.cloud.stream.binder.kafka.config.MessageConverterHelperConfiguration;
import org.springframework.cloud.stream.config.BindingServiceConfiguration;
import org.springframework.cloud.stream.config.ListenerContainerCustomizer;
import org.springframework.cloud.stream.function.FunctionConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.config.EnableIntegration;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.RecordInterceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Deliveries through Spring Cloud Stream's Kafka binder, against the embedded broker, run in
 * the same units as {@code @KafkaListener} deliveries.
 */
class StreamWorkIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final ApplicationContextRunner contextRunner = streamContextRunner().withUserConfiguration(Functions.class)
		.withBean(RecordedWorkEvents.class);

	/**
	 * Spring Cloud Stream with the Kafka binder on the embedded broker, and the entry points;
	 * add the functions and bind one of them with {@link #withBinding}.
	 */
	static ApplicationContextRunner streamContextRunner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class, JacksonAutoConfiguration.class,
					ContextFunctionCatalogAutoConfiguration.class, CloudEventsFunctionExtensionConfiguration.class,
					BindingServiceConfiguration.class, FunctionConfiguration.class,
					ExtendedBindingHandlerMappingsProviderConfiguration.class,
					MessageConverterHelperConfiguration.class, ConnectionLifecycleAutoConfiguration.class,
					KafkaConnectionLifecycleAutoConfiguration.class, StreamConnectionLifecycleAutoConfiguration.class))
			.withUserConfiguration(IntegrationConfiguration.class)
			.withPropertyValues("spring.kafka.bootstrap-servers=" + EmbeddedKafka.bootstrapServers(),
					"spring.cloud.stream.kafka.binder.brokers=" + EmbeddedKafka.bootstrapServers());
	}

	@Test
	void eachRecordThroughTheBinderIsOneUnitOnTheConsumerThread() {
		withBinding("consume", "stream-record").run((context) -> {
			send(context, "a", "b", "c");
			Functions functions = context.getBean(Functions.class);
			RecordedWorkEvents events = awaitFinished(context, 3);
			assertThat(events.started()).hasSize(3)
				.allSatisfy((started) -> assertThat(started.getUnit().kind()).isEqualTo(WorkKind.KAFKA_RECORD));
			events.assertEachUnitBracketedOnItsThread();
			assertThat(functions.values).containsExactly("a", "b", "c");
			assertThat(functions.unitsSeen).containsExactlyElementsOf(events.startedUnits());
		});
	}

	@Test
	void eachBatchThroughTheBinderIsOneUnit() {
		withBinding("consumeBatch", "stream-batch")
			.withPropertyValues("spring.cloud.stream.bindings.consumeBatch-in-0.consumer.batch-mode=true")
			.run((context) -> {
				send(context, "a", "b", "c", "d");
				Functions functions = context.getBean(Functions.class);
				await().atMost(TIMEOUT).until(() -> functions.values.size() == 4
						&& context.getBean(RecordedWorkEvents.class).finished().size() == functions.unitsSeen.size());
				RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class);
				assertThat(events.started())
					.allSatisfy((started) -> assertThat(started.getUnit().kind()).isEqualTo(WorkKind.KAFKA_BATCH));
				assertThat(functions.unitsSeen).containsExactlyElementsOf(events.startedUnits());
			});
	}

	@Test
	void userListenerContainerCustomizerStillRunsAndItsInterceptorRunsInsideTheUnit() {
		withBinding("consume", "stream-customizer").withUserConfiguration(UserCustomizer.class).run((context) -> {
			send(context, "a", "b");
			RecordedWorkEvents events = awaitFinished(context, 2);
			UserCustomizer customizer = context.getBean(UserCustomizer.class);
			assertThat(customizer.destinations).containsExactly(context.getEnvironment().getProperty("test.topic"));
			assertThat(customizer.unitsSeenByInterceptor).containsExactlyElementsOf(events.startedUnits());
		});
	}

	@Test
	void withTheKafkaEntryPointOffBinderDeliveriesRunWithoutUnits() {
		withBinding("consume", "stream-off").withPropertyValues("connection.kafka.enabled=false").run((context) -> {
			send(context, "a");
			Functions functions = context.getBean(Functions.class);
			await().atMost(TIMEOUT).until(() -> functions.values.size() == 1);
			assertThat(functions.unitsSeen).containsOnlyNulls();
			assertThat(context.getBean(RecordedWorkEvents.class).all()).isEmpty();
		});
	}

	private ApplicationContextRunner withBinding(String function, String name) {
		return withBinding(this.contextRunner, function, name);
	}

	/**
	 * Binds a function to a new topic, read from its start by a consumer group of its own.
	 * @return the runner, with the topic in {@code test.topic}
	 */
	static ApplicationContextRunner withBinding(ApplicationContextRunner contextRunner, String function, String name) {
		String topic = EmbeddedKafka.createTopic(name, 1);
		String binding = function + "-in-0";
		return contextRunner.withPropertyValues("test.topic=" + topic, "spring.cloud.function.definition=" + function,
				"spring.cloud.stream.bindings." + binding + ".destination=" + topic,
				"spring.cloud.stream.bindings." + binding + ".group=" + EmbeddedKafka.uniqueGroup(name),
				"spring.cloud.stream.kafka.bindings." + binding + ".consumer.start-offset=earliest");
	}

	static void send(AssertableApplicationContext context, String... values) {
		EmbeddedKafka.send(context.getBean(KafkaTemplate.class), context.getEnvironment().getProperty("test.topic"),
				values);
	}

	private static RecordedWorkEvents awaitFinished(AssertableApplicationContext context, int count) {
		return context.getBean(RecordedWorkEvents.class).awaitFinished(count);
	}

	/**
	 * Spring Integration enabled, as Boot's integration auto-configuration would (Spring
	 * Cloud Stream's starter brings it).
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableIntegration
	static class IntegrationConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	static class Functions {

		final List<String> values = new CopyOnWriteArrayList<>();

		final List<@Nullable UnitOfWork> unitsSeen = new CopyOnWriteArrayList<>();

		private final ObjectProvider<WorkBoundaries> workBoundaries;

		Functions(ObjectProvider<WorkBoundaries> workBoundaries) {
			this.workBoundaries = workBoundaries;
		}

		@Bean
		Consumer<String> consume() {
			return (value) -> {
				this.values.add(value);
				this.unitsSeen.add(currentUnit(this.workBoundaries));
			};
		}

		@Bean
		Consumer<List<String>> consumeBatch() {
			return (batch) -> {
				this.values.addAll(batch);
				this.unitsSeen.add(currentUnit(this.workBoundaries));
			};
		}

	}

	/**
	 * A customizer of the application's own, setting an interceptor on the binder's
	 * containers.
	 */
	@Configuration(proxyBeanMethods = false)
	static class UserCustomizer {

		final List<String> destinations = new CopyOnWriteArrayList<>();

		final List<@Nullable UnitOfWork> unitsSeenByInterceptor = new CopyOnWriteArrayList<>();

		@Bean
		ListenerContainerCustomizer<AbstractMessageListenerContainer<?, ?>> userContainerCustomizer(
				ObjectProvider<WorkBoundaries> workBoundaries) {
			return (container, destination, group) -> {
				this.destinations.add(destination);
				@SuppressWarnings("unchecked")
				AbstractMessageListenerContainer<Object, Object> typed =
						(AbstractMessageListenerContainer<Object, Object>) container;
				typed.setRecordInterceptor(new RecordInterceptor<>() {

					@Override
					public ConsumerRecord<Object, Object> intercept(ConsumerRecord<Object, Object> record,
							org.apache.kafka.clients.consumer.Consumer<Object, Object> consumer) {
						UserCustomizer.this.unitsSeenByInterceptor.add(currentUnit(workBoundaries));
						return record;
					}

				});
			};
		}

	}

	static @Nullable UnitOfWork currentUnit(ObjectProvider<WorkBoundaries> workBoundaries) {
		WorkBoundaries boundaries = workBoundaries.getIfAvailable();
		return (boundaries != null) ? boundaries.currentUnit() : null;
	}

}
