package io.github.connectionlifecycle.autoconfigure;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;

import javax.sql.DataSource;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleProperties.ServerTimeoutCheck;
import io.github.connectionlifecycle.jdbc.CleanupPolicy;
import io.github.connectionlifecycle.jdbc.DefaultSessionStateSqlDetector;
import io.github.connectionlifecycle.jdbc.SessionStateSqlDetector;
import io.github.connectionlifecycle.jdbc.interception.ConnectionLifecycleCleanup;
import io.github.connectionlifecycle.jdbc.interception.ConnectionLifecycleDataSourcePostProcessor;
import io.github.connectionlifecycle.jdbc.interception.IdleConnectionSweeper;
import io.github.connectionlifecycle.jdbc.interception.ManagedDataSourceProxy;
import io.github.connectionlifecycle.jdbc.pool.PoolAdapterFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadata;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of JDBC connection cleanup at unit-of-work boundaries: every
 * DataSource bean is put under the lifecycle, the {@link ConnectionLifecycleCleanup}
 * retires its connections, and the {@link IdleConnectionSweeper} retires idle ones in the
 * background. Runs before Spring Boot's DataSource auto-configuration so that its pool
 * metadata provider is asked before Boot's own (which would read the proxy's fields).
 */
@AutoConfiguration(after = ConnectionLifecycleAutoConfiguration.class, before = DataSourceAutoConfiguration.class)
@ConditionalOnClass({ DataSource.class, DataSourceUnwrapper.class })
@ConditionalOnBooleanProperty(name = "connection.enabled", matchIfMissing = true)
public final class DataSourceConnectionLifecycleAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SessionStateSqlDetector connectionSessionStateSqlDetector(ConnectionLifecycleProperties properties) {
		return properties.isSessionStateSqlCheck() ? DefaultSessionStateSqlDetector.INSTANCE
				: SessionStateSqlDetector.NONE;
	}

	@Bean
	@ConditionalOnMissingBean
	ConnectionLifecycleCleanup connectionLifecycleCleanup(SessionStateSqlDetector sessionStateSqlDetector) {
		return new ConnectionLifecycleCleanup(sessionStateSqlDetector);
	}

	@Bean
	@ConditionalOnMissingBean
	IdleConnectionSweeper connectionLifecycleIdleSweeper(ConnectionLifecycleCleanup cleanup, CleanupPolicy policy) {
		return new IdleConnectionSweeper(cleanup, policy.livenessCheckInterval());
	}

	@Bean
	@ConditionalOnMissingBean
	CleanupPolicy connectionCleanupPolicy(ConnectionLifecycleProperties properties) {
		ServerTimeoutCheck check = properties.getServerTimeoutCheck();
		Duration livenessCheckInterval = properties.getLivenessCheckInterval();
		return new CleanupPolicy(properties.getMaxAge(), properties.getMaxIdle(), properties.isHealthChecks(),
				check != ServerTimeoutCheck.OFF, check == ServerTimeoutCheck.FAIL,
				livenessCheckInterval.isZero() ? null : livenessCheckInterval, properties.isRetireOnReadOnlyErrors());
	}

	@Bean
	DataSourcePoolMetadataProvider connectionLifecyclePoolMetadataProvider(
			ObjectProvider<DataSourcePoolMetadataProvider> providers) {
		return new ManagedPoolMetadataProvider(providers);
	}

	@Bean
	static ConnectionLifecycleDataSourcePostProcessor connectionLifecycleDataSourcePostProcessor(
			ObjectProvider<ConnectionLifecycleCleanup> cleanup, ObjectProvider<CleanupPolicy> policy,
			ObjectProvider<ApplicationEventPublisher> eventPublisher,
			ObjectProvider<PoolAdapterFactory> adapterFactories, Environment environment) {
		// Bound from the environment: a static post-processor must not pull in the properties bean early.
		HashSet<String> excluded = new HashSet<>(Binder.get(environment)
			.bind("connection.excluded-data-sources", String[].class)
			.map(List::of)
			.orElse(List.of()));
		return new ConnectionLifecycleDataSourcePostProcessor(cleanup, policy, eventPublisher, adapterFactories,
				excluded);
	}

	/**
	 * Answers Spring Boot's pool metadata (the {@code jdbc.connections.*} meters, the health
	 * indicator) for a managed DataSource from the pool behind the lifecycle's proxy: Boot's
	 * own providers read private fields, which the proxy does not have.
	 */
	static final class ManagedPoolMetadataProvider implements DataSourcePoolMetadataProvider {

		private final ObjectProvider<DataSourcePoolMetadataProvider> providers;

		ManagedPoolMetadataProvider(ObjectProvider<DataSourcePoolMetadataProvider> providers) {
			this.providers = providers;
		}

		@Override
		public @Nullable DataSourcePoolMetadata getDataSourcePoolMetadata(DataSource dataSource) {
			if (!(dataSource instanceof ManagedDataSourceProxy managedProxy)) {
				return null;
			}
			DataSource target = managedProxy.getLifecycleTarget();
			for (DataSourcePoolMetadataProvider provider : this.providers.stream().toList()) {
				if (provider != this) {
					DataSourcePoolMetadata metadata = provider.getDataSourcePoolMetadata(target);
					if (metadata != null) {
						return metadata;
					}
				}
			}
			return null;
		}

	}

}
