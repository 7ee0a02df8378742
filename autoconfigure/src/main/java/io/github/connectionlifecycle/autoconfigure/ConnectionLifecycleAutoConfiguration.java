package io.github.connectionlifecycle.autoconfigure;

import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkBoundaryListener;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.util.function.SingletonSupplier;

/**
 * Auto-configuration of the unit-of-work model: the {@link WorkBoundaries} that every entry
 * point opens and closes units through.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "connection.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ConnectionLifecycleProperties.class)
public final class ConnectionLifecycleAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	WorkBoundaries workBoundaries(ApplicationContext context, ObjectProvider<WorkBoundaryListener> listeners,
			WorkEventListeners workEventListeners) {
		// Resolved once, at the first boundary: every singleton exists by then.
		return new WorkBoundaries(context, SingletonSupplier.of(() -> listeners.orderedStream().toList()),
				workEventListeners);
	}

	@Bean
	WorkEventListeners connectionLifecycleWorkEventListeners(ApplicationContext context) {
		return new WorkEventListeners(context);
	}

}
