package io.github.connectionlifecycle.autoconfigure;

import io.github.connectionlifecycle.kafka.KafkaWorkBoundariesPostProcessor;
import io.github.connectionlifecycle.work.WorkBoundaries;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;

/**
 * Auto-configuration that makes every Kafka listener delivery a unit of work, by composing
 * with the interceptors of listener container factories and listener container beans.
 */
@AutoConfiguration(after = ConnectionLifecycleAutoConfiguration.class)
@ConditionalOnClass(AbstractKafkaListenerContainerFactory.class)
@ConditionalOnBooleanProperty(name = "connection.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "connection.kafka.enabled", matchIfMissing = true)
@ConditionalOnBean(WorkBoundaries.class)
public final class KafkaConnectionLifecycleAutoConfiguration {

	@Bean
	static KafkaWorkBoundariesPostProcessor kafkaWorkBoundariesPostProcessor(
			ObjectProvider<WorkBoundaries> workBoundaries) {
		return new KafkaWorkBoundariesPostProcessor(workBoundaries);
	}

}
