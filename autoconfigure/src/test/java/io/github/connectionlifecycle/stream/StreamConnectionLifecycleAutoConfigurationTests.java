package io.github.connectionlifecycle.stream;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.KafkaConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.StreamConnectionLifecycleAutoConfiguration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.stream.binder.kafka.ListenerContainerWithDlqAndRetryCustomizer;
import org.springframework.cloud.stream.config.ListenerContainerCustomizer;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.util.backoff.BackOff;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When {@link StreamConnectionLifecycleAutoConfiguration} applies, and how it composes with
 * the listener container customizer an application defines.
 */
class StreamConnectionLifecycleAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ConnectionLifecycleAutoConfiguration.class,
				KafkaConnectionLifecycleAutoConfiguration.class, StreamConnectionLifecycleAutoConfiguration.class));

	@Test
	void contributesTheBindersCustomizerWhenTheApplicationHasNone() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ListenerContainerCustomizer.class);
			AbstractMessageListenerContainer<?, ?> container = container();
			context.getBean(ListenerContainerCustomizer.class).configure(container, "orders", "group");
			assertThat(container.getRecordInterceptor()).isNotNull();
			assertThat(container.getBatchInterceptor()).isNotNull();
		});
	}

	@Test
	void proxiesTheApplicationsCustomizerKeepingItsTypeAndAddsUnitsAfterIt() {
		this.contextRunner.withBean(DlqCustomizer.class).run((context) -> {
			assertThat(context).hasSingleBean(ListenerContainerCustomizer.class);
			ListenerContainerWithDlqAndRetryCustomizer customizer = context
				.getBean(ListenerContainerWithDlqAndRetryCustomizer.class);
			assertThat(customizer.retryAndDlqInBinding("orders", "group")).isFalse();
			AbstractMessageListenerContainer<?, ?> container = container();
			customizer.configure(container, "orders", "group", null, null);
			assertThat(context.getBean(DlqCustomizer.class).configured()).containsExactly("orders");
			assertThat(container.getRecordInterceptor()).isNotNull();
		});
	}

	@Test
	void backsOffWhenTheKafkaEntryPointIsDisabled() {
		this.contextRunner.withPropertyValues("connection.kafka.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(BinderContainerWorkUnits.class)
				.doesNotHaveBean(ListenerContainerCustomizer.class));
	}

	@Test
	void backsOffWhenConnectionLifecycleIsDisabled() {
		this.contextRunner.withPropertyValues("connection.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(BinderContainerWorkUnits.class));
	}

	@Test
	void backsOffWhenSpringCloudStreamIsNotOnTheClasspath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.cloud.stream."))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(BinderContainerWorkUnits.class));
	}

	private static AbstractMessageListenerContainer<?, ?> container() {
		return new ConcurrentMessageListenerContainer<>(new DefaultKafkaConsumerFactory<>(java.util.Map.of()),
				new ContainerProperties("orders"));
	}

	/** A customizer that moves retries and the dead letter queue into the container. */
	static class DlqCustomizer implements ListenerContainerWithDlqAndRetryCustomizer {

		private final List<String> configured = new CopyOnWriteArrayList<>();

		// Read through the proxy, which forwards to the customizer itself.
		public List<String> configured() {
			return List.copyOf(this.configured);
		}

		@Override
		public void configure(AbstractMessageListenerContainer<?, ?> container, String destinationName, String group,
				@Nullable BiFunction<ConsumerRecord<?, ?>, Exception, TopicPartition> dlqDestinationResolver,
				@Nullable BackOff backOff) {
			this.configured.add(destinationName);
		}

		@Override
		public boolean retryAndDlqInBinding(String destinationName, String group) {
			return false;
		}

	}

}
