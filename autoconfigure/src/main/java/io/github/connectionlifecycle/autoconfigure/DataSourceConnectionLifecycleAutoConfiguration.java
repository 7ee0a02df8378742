package io.github.connectionlifecycle.autoconfigure;

import java.util.HashSet;

import javax.sql.DataSource;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleProperties.ServerTimeoutCheck;
import io.github.connectionlifecycle.jdbc.CleanupPolicy;
import io.github.connectionlifecycle.jdbc.ConnectionLifecycleCleanup;
import io.github.connectionlifecycle.jdbc.ConnectionLifecycleDataSourcePostProcessor;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of JDBC connection cleanup at unit-of-work boundaries: every
 * DataSource bean is put under the lifecycle, and the {@link ConnectionLifecycleCleanup}
 * retires its connections.
 */
@AutoConfiguration(after = ConnectionLifecycleAutoConfiguration.class)
@ConditionalOnClass({ DataSource.class, DataSourceUnwrapper.class })
@ConditionalOnBooleanProperty(name = "connection.enabled", matchIfMissing = true)
public final class DataSourceConnectionLifecycleAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ConnectionLifecycleCleanup connectionLifecycleCleanup() {
		return new ConnectionLifecycleCleanup();
	}

	@Bean
	@ConditionalOnMissingBean
	CleanupPolicy connectionCleanupPolicy(ConnectionLifecycleProperties properties) {
		ServerTimeoutCheck check = properties.getServerTimeoutCheck();
		return new CleanupPolicy(properties.getMaxAge(), properties.getMaxIdle(), properties.isHealthChecks(),
				check != ServerTimeoutCheck.OFF, check == ServerTimeoutCheck.FAIL);
	}

	@Bean
	static ConnectionLifecycleDataSourcePostProcessor connectionLifecycleDataSourcePostProcessor(
			ObjectProvider<ConnectionLifecycleCleanup> cleanup, ObjectProvider<CleanupPolicy> policy,
			ObjectProvider<ApplicationEventPublisher> eventPublisher, Environment environment) {
		// Bound from the environment: a static post-processor must not pull in the properties bean early.
		HashSet<String> excluded = new HashSet<>(Binder.get(environment)
			.bind("connection.excluded-data-sources", String[].class)
			.map(java.util.List::of)
			.orElse(java.util.List.of()));
		return new ConnectionLifecycleDataSourcePostProcessor(cleanup, policy, eventPublisher, excluded);
	}

}
