package io.github.connectionlifecycle.autoconfigure;

import io.github.connectionlifecycle.kafka.KafkaWorkBoundariesPostProcessor;
import io.github.connectionlifecycle.stream.BinderContainerWorkUnits;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.stream.binder.kafka.KafkaMessageChannelBinder;
import org.springframework.cloud.stream.config.ListenerContainerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.util.function.SingletonSupplier;

/**
 * Auto-configuration that gives the listener containers of Spring Cloud Stream's Kafka
 * binder the Kafka entry point's units. It follows the Kafka entry point's switch
 * ({@code connection.kafka.enabled}): the binder's deliveries are Kafka deliveries, with the
 * same units.
 */
@AutoConfiguration(after = KafkaConnectionLifecycleAutoConfiguration.class)
@ConditionalOnClass({ KafkaMessageChannelBinder.class, ListenerContainerCustomizer.class })
@ConditionalOnBean(KafkaWorkBoundariesPostProcessor.class)
public final class StreamConnectionLifecycleAutoConfiguration {

	@Bean
	static BinderContainerWorkUnits binderContainerWorkUnits(
			ObjectProvider<KafkaWorkBoundariesPostProcessor> kafkaWorkUnits) {
		return new BinderContainerWorkUnits(SingletonSupplier.of(kafkaWorkUnits::getObject));
	}

	@Bean
	@ConditionalOnMissingBean(ListenerContainerCustomizer.class)
	ListenerContainerCustomizer<AbstractMessageListenerContainer<?, ?>> workUnitListenerContainerCustomizer(
			BinderContainerWorkUnits binderContainerWorkUnits) {
		return binderContainerWorkUnits.customizer();
	}

}
