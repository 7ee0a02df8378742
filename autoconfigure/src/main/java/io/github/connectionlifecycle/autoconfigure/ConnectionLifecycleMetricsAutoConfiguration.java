package io.github.connectionlifecycle.autoconfigure;

import io.github.connectionlifecycle.jdbc.interception.ConnectionLifecycleCleanup;
import io.github.connectionlifecycle.jdbc.interception.IdleConnectionSweeper;
import io.github.connectionlifecycle.metrics.DataSourceLifecycleMeters;
import io.github.connectionlifecycle.metrics.SweepMeters;
import io.github.connectionlifecycle.metrics.UnitOfWorkMeters;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the connection lifecycle's Micrometer meters, when Micrometer and a
 * {@link MeterRegistry} are there and {@code connection.metrics.enabled} is not
 * {@code false}.
 */
@AutoConfiguration(
		after = { ConnectionLifecycleAutoConfiguration.class, DataSourceConnectionLifecycleAutoConfiguration.class },
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "connection.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "connection.metrics.enabled", matchIfMissing = true)
public final class ConnectionLifecycleMetricsAutoConfiguration {

	@Bean
	@ConditionalOnBean(WorkBoundaries.class)
	@ConditionalOnMissingBean
	UnitOfWorkMeters connectionLifecycleUnitOfWorkMeters(WorkBoundaries workBoundaries) {
		return new UnitOfWorkMeters(workBoundaries);
	}

	@Bean
	@ConditionalOnBean(ConnectionLifecycleCleanup.class)
	@ConditionalOnMissingBean
	DataSourceLifecycleMeters connectionLifecycleDataSourceMeters(ConnectionLifecycleCleanup cleanup) {
		return new DataSourceLifecycleMeters(cleanup);
	}

	@Bean
	@ConditionalOnBean(IdleConnectionSweeper.class)
	@ConditionalOnMissingBean
	SweepMeters connectionLifecycleSweepMeters(IdleConnectionSweeper sweeper) {
		return new SweepMeters(sweeper.getStatistics());
	}

}
