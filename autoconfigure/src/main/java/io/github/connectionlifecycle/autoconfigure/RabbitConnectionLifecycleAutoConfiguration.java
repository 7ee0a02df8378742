package io.github.connectionlifecycle.autoconfigure;

import io.github.connectionlifecycle.amqp.RabbitWorkBoundariesPostProcessor;
import io.github.connectionlifecycle.work.WorkBoundaries;

import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration that makes every RabbitMQ listener delivery a unit of work, by adding
 * to the advice chain of listener container factories and listener container beans.
 */
@AutoConfiguration(after = ConnectionLifecycleAutoConfiguration.class)
@ConditionalOnClass(AbstractMessageListenerContainer.class)
@ConditionalOnBooleanProperty(name = "connection.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "connection.rabbit.enabled", matchIfMissing = true)
@ConditionalOnBean(WorkBoundaries.class)
public final class RabbitConnectionLifecycleAutoConfiguration {

	@Bean
	static RabbitWorkBoundariesPostProcessor rabbitWorkBoundariesPostProcessor(
			ObjectProvider<WorkBoundaries> workBoundaries) {
		return new RabbitWorkBoundariesPostProcessor(workBoundaries);
	}

}
