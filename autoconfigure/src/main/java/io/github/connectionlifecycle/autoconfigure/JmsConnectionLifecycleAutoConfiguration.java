package io.github.connectionlifecycle.autoconfigure;

import io.github.connectionlifecycle.jms.JmsWorkBoundariesPostProcessor;
import io.github.connectionlifecycle.work.WorkBoundaries;
import jakarta.jms.Message;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.jms.listener.AbstractMessageListenerContainer;

/**
 * Auto-configuration that makes every JMS message delivered to a listener container a unit
 * of work, by advising the listeners of listener container factories and container beans.
 */
@AutoConfiguration(after = ConnectionLifecycleAutoConfiguration.class)
@ConditionalOnClass({ AbstractMessageListenerContainer.class, Message.class })
@ConditionalOnBooleanProperty(name = "connection.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "connection.jms.enabled", matchIfMissing = true)
@ConditionalOnBean(WorkBoundaries.class)
public final class JmsConnectionLifecycleAutoConfiguration {

	@Bean
	static JmsWorkBoundariesPostProcessor jmsWorkBoundariesPostProcessor(
			ObjectProvider<WorkBoundaries> workBoundaries) {
		return new JmsWorkBoundariesPostProcessor(workBoundaries);
	}

}
