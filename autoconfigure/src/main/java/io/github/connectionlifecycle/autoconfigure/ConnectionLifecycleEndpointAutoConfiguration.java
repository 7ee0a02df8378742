package io.github.connectionlifecycle.autoconfigure;

import io.github.connectionlifecycle.actuate.ConnectionLifecycleEndpoint;
import io.github.connectionlifecycle.jdbc.interception.ConnectionLifecycleCleanup;
import io.github.connectionlifecycle.jdbc.interception.IdleConnectionSweeper;
import io.github.connectionlifecycle.scheduling.ScheduledWorkAdvisingPostProcessor;
import io.github.connectionlifecycle.work.WorkBoundaries;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code connectionlifecycle} Actuator endpoint, when Actuator is
 * there and the endpoint is available (enabled and exposed, as any other endpoint).
 */
@AutoConfiguration(after = { ConnectionLifecycleAutoConfiguration.class,
		DataSourceConnectionLifecycleAutoConfiguration.class, KafkaConnectionLifecycleAutoConfiguration.class,
		SchedulingConnectionLifecycleAutoConfiguration.class })
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBooleanProperty(name = "connection.enabled", matchIfMissing = true)
@ConditionalOnBean(WorkBoundaries.class)
public final class ConnectionLifecycleEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	ConnectionLifecycleEndpoint connectionLifecycleEndpoint(ConnectionLifecycleProperties properties,
			ObjectProvider<WorkBoundaries> workBoundaries, ObjectProvider<ConnectionLifecycleCleanup> cleanup,
			ObjectProvider<IdleConnectionSweeper> sweeper,
			ObjectProvider<ScheduledWorkAdvisingPostProcessor> scheduling, ListableBeanFactory beanFactory) {
		return new ConnectionLifecycleEndpoint(properties, workBoundaries, cleanup, sweeper, scheduling, beanFactory);
	}

}
