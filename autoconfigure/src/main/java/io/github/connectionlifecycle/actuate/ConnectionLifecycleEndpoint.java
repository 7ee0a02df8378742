package io.github.connectionlifecycle.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleProperties;
import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.jdbc.interception.ConnectionLifecycleCleanup;
import io.github.connectionlifecycle.jdbc.interception.IdleConnectionSweeper;
import io.github.connectionlifecycle.jdbc.interception.ManagedDataSourceInfo;
import io.github.connectionlifecycle.jdbc.interception.ManagedDataSourceInfo.TrackedConnections;
import io.github.connectionlifecycle.jdbc.interception.SweepStatistics;
import io.github.connectionlifecycle.jdbc.pool.SessionSetting;
import io.github.connectionlifecycle.kafka.KafkaWorkBoundariesPostProcessor;
import io.github.connectionlifecycle.scheduling.ScheduledWorkAdvisingPostProcessor;
import io.github.connectionlifecycle.work.WorkBoundaries;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.util.ClassUtils;

/**
 * {@link Endpoint @Endpoint} that shows what the connection lifecycle does: its settings;
 * per DataSource the pool adapter, the server's idle timeout and where it came from, the
 * limits in force, the connections tracked now, the retirements since start-up and the
 * start-up findings; the background sweep; and which entry points have unit-of-work
 * boundaries. It shows no JDBC URL and no credentials.
 */
@Endpoint(id = "connectionlifecycle")
public class ConnectionLifecycleEndpoint {

	private static final boolean kafkaPresent = ClassUtils.isPresent(
			"org.springframework.kafka.listener.MessageListenerContainer",
			ConnectionLifecycleEndpoint.class.getClassLoader());

	private final ConnectionLifecycleProperties properties;

	private final ObjectProvider<WorkBoundaries> workBoundaries;

	private final ObjectProvider<ConnectionLifecycleCleanup> cleanup;

	private final ObjectProvider<IdleConnectionSweeper> sweeper;

	private final ObjectProvider<ScheduledWorkAdvisingPostProcessor> scheduling;

	private final ListableBeanFactory beanFactory;

	/**
	 * Creates the endpoint.
	 * @param properties the {@code connection.*} settings
	 * @param workBoundaries the units of work, if the starter is on
	 * @param cleanup the JDBC cleanup, if there is JDBC
	 * @param sweeper the background sweep, if there is JDBC
	 * @param scheduling the {@code @Scheduled} entry point, if scheduling is on
	 * @param beanFactory where Kafka listener containers are found
	 */
	public ConnectionLifecycleEndpoint(ConnectionLifecycleProperties properties,
			ObjectProvider<WorkBoundaries> workBoundaries, ObjectProvider<ConnectionLifecycleCleanup> cleanup,
			ObjectProvider<IdleConnectionSweeper> sweeper,
			ObjectProvider<ScheduledWorkAdvisingPostProcessor> scheduling, ListableBeanFactory beanFactory) {
		this.properties = properties;
		this.workBoundaries = workBoundaries;
		this.cleanup = cleanup;
		this.sweeper = sweeper;
		this.scheduling = scheduling;
		this.beanFactory = beanFactory;
	}

	/**
	 * What the connection lifecycle does now.
	 * @return the report
	 */
	@ReadOperation
	public ConnectionLifecycleDescriptor connectionLifecycle() {
		WorkBoundaries boundaries = this.workBoundaries.getIfAvailable();
		ConnectionLifecycleCleanup jdbc = this.cleanup.getIfAvailable();
		Map<String, DataSourceDescriptor> dataSources = new LinkedHashMap<>();
		if (jdbc != null) {
			jdbc.managedDataSources()
				.forEach((dataSource) -> dataSources.put(dataSource.getName(), DataSourceDescriptor.of(dataSource)));
		}
		IdleConnectionSweeper sweep = this.sweeper.getIfAvailable();
		return new ConnectionLifecycleDescriptor(SettingsDescriptor.of(this.properties),
				(boundaries != null) ? boundaries.getListenerFailureCount() : 0, dataSources,
				(sweep != null) ? SweepDescriptor.of(sweep) : null,
				new EntryPointsDescriptor(kafkaPresent ? KafkaContainers.describe(this.beanFactory) : null,
						SchedulingDescriptor.of(this.scheduling.getIfAvailable())));
	}

	private static @Nullable String format(@Nullable Duration duration) {
		return (duration != null) ? duration.toString() : null;
	}

	/**
	 * The report.
	 *
	 * @param settings the {@code connection.*} settings
	 * @param listenerFailures failures of listeners at unit-of-work boundaries since
	 * start-up, logged and swallowed
	 * @param dataSources the DataSources under the lifecycle, by name
	 * @param sweep the background sweep, or {@code null} without JDBC
	 * @param entryPoints where units of work come from
	 */
	public record ConnectionLifecycleDescriptor(SettingsDescriptor settings, long listenerFailures,
			Map<String, DataSourceDescriptor> dataSources, @Nullable SweepDescriptor sweep,
			EntryPointsDescriptor entryPoints) implements OperationResponseBody {
	}

	/**
	 * The {@code connection.*} settings; durations in ISO-8601.
	 *
	 * @param enabled {@code connection.enabled}
	 * @param maxAge {@code connection.max-age}
	 * @param maxIdle {@code connection.max-idle}
	 * @param healthChecks {@code connection.health-checks}
	 * @param serverTimeoutCheck {@code connection.server-timeout-check}
	 * @param sessionStateSqlCheck {@code connection.session-state-sql-check}
	 * @param livenessCheckInterval {@code connection.liveness-check-interval}
	 * @param retireOnReadOnlyErrors {@code connection.retire-on-read-only-errors}
	 * @param excludedDataSources {@code connection.excluded-data-sources}
	 * @param kafka {@code connection.kafka.enabled}
	 * @param scheduling {@code connection.scheduling.enabled}
	 * @param metrics {@code connection.metrics.enabled}
	 */
	public record SettingsDescriptor(boolean enabled, @Nullable String maxAge, @Nullable String maxIdle,
			boolean healthChecks, String serverTimeoutCheck, boolean sessionStateSqlCheck,
			String livenessCheckInterval, boolean retireOnReadOnlyErrors, List<String> excludedDataSources, boolean kafka, boolean scheduling, boolean metrics) {

		static SettingsDescriptor of(ConnectionLifecycleProperties properties) {
			return new SettingsDescriptor(properties.isEnabled(), format(properties.getMaxAge()),
					format(properties.getMaxIdle()), properties.isHealthChecks(),
					properties.getServerTimeoutCheck().name(), properties.isSessionStateSqlCheck(),
					properties.getLivenessCheckInterval().toString(), properties.isRetireOnReadOnlyErrors(),
					List.copyOf(properties.getExcludedDataSources()), properties.getKafka().isEnabled(),
					properties.getScheduling().isEnabled(), properties.getMetrics().isEnabled());
		}

	}

	/**
	 * One DataSource under the lifecycle; durations in ISO-8601.
	 *
	 * @param pool what the pool adapter does
	 * @param adapter the pool adapter's class
	 * @param retiresReturnedConnections whether idle returned connections can be retired in
	 * the pool; otherwise when next borrowed by a unit of work
	 * @param restoredOnReturn session settings the pool restores itself
	 * @param serverIdleTimeout the server's idle timeout, {@code null} when unknown
	 * @param serverIdleTimeoutSource where it came from, or why there is none
	 * @param socketTimeoutMillis the driver's socket read timeout; 0 for none, -1 unknown
	 * @param idleLimit the longest idle time a connection may have and serve a unit
	 * @param maxAge the max age in force
	 * @param connections the physical connections tracked now
	 * @param retirements retirements since start-up, by reason
	 * @param findings the warnings logged about this pool's settings
	 */
	public record DataSourceDescriptor(String pool, String adapter, boolean retiresReturnedConnections,
			Set<SessionSetting> restoredOnReturn, @Nullable String serverIdleTimeout, String serverIdleTimeoutSource,
			int socketTimeoutMillis, @Nullable String idleLimit, @Nullable String maxAge,
			ConnectionsDescriptor connections, Map<RetirementReason, Long> retirements, List<String> findings) {

		static DataSourceDescriptor of(ManagedDataSourceInfo dataSource) {
			Map<RetirementReason, Long> retirements = new LinkedHashMap<>();
			for (RetirementReason reason : RetirementReason.values()) {
				retirements.put(reason, dataSource.getRetirements(reason));
			}
			return new DataSourceDescriptor(dataSource.getPoolDescription(), dataSource.getAdapter(),
					dataSource.canRetireReturned(), dataSource.getRestoredOnReturn(),
					format(dataSource.getServerIdleTimeout()), dataSource.getServerIdleTimeoutSource(),
					dataSource.getNetworkTimeoutMillis(), format(dataSource.getIdleLimit()),
					format(dataSource.getMaxAge()), ConnectionsDescriptor.of(dataSource.getTrackedConnections()),
					retirements, dataSource.getFindings());
		}

	}

	/**
	 * The physical connections of a pool that the lifecycle tracks now.
	 *
	 * @param tracked how many
	 * @param oldest the age of the oldest, ISO-8601
	 * @param longestIdle the longest a returned one has sat idle, ISO-8601
	 */
	public record ConnectionsDescriptor(int tracked, String oldest, String longestIdle) {

		static ConnectionsDescriptor of(TrackedConnections connections) {
			return new ConnectionsDescriptor(connections.count(), connections.oldest().toString(),
					connections.longestIdle().toString());
		}

	}

	/**
	 * The background sweep.
	 *
	 * @param running whether it runs
	 * @param runs how many times it ran
	 * @param lastRunStart when its last run started, ISO-8601, {@code null} before the first
	 * @param lastDuration how long the last run took, ISO-8601
	 * @param lastLateness how much later than scheduled the last run started, ISO-8601
	 */
	public record SweepDescriptor(boolean running, long runs, @Nullable String lastRunStart, String lastDuration,
			String lastLateness) {

		static SweepDescriptor of(IdleConnectionSweeper sweeper) {
			SweepStatistics statistics = sweeper.getStatistics();
			Instant lastRunStart = statistics.getLastRunStart();
			return new SweepDescriptor(sweeper.isRunning(), statistics.getRuns(),
					(lastRunStart != null) ? lastRunStart.toString() : null,
					statistics.getLastDuration().toString(), statistics.getLastLateness().toString());
		}

	}

	/**
	 * Where units of work come from.
	 *
	 * @param kafka the Kafka listener containers, {@code null} without Spring Kafka
	 * @param scheduling the {@code @Scheduled} methods
	 */
	public record EntryPointsDescriptor(@Nullable KafkaDescriptor kafka, SchedulingDescriptor scheduling) {
	}

	/**
	 * The Kafka listener containers.
	 *
	 * @param withWorkBoundaries ids of the containers whose deliveries are units of work
	 * @param withoutWorkBoundaries ids of the others
	 */
	public record KafkaDescriptor(List<String> withWorkBoundaries, List<String> withoutWorkBoundaries) {
	}

	/**
	 * The {@code @Scheduled} methods.
	 *
	 * @param advised the methods whose runs are units of work
	 * @param notAdvised the methods left alone, and why
	 */
	public record SchedulingDescriptor(List<String> advised, SortedMap<String, String> notAdvised) {

		static SchedulingDescriptor of(@Nullable ScheduledWorkAdvisingPostProcessor scheduling) {
			return (scheduling != null)
					? new SchedulingDescriptor(scheduling.getAdvisedMethods(), scheduling.getUnadvisableMethods())
					: new SchedulingDescriptor(List.of(), Collections.emptySortedMap());
		}

	}

	/** Loaded only when Spring Kafka is there. */
	private static final class KafkaContainers {

		static KafkaDescriptor describe(ListableBeanFactory beanFactory) {
			Map<MessageListenerContainer, String> containers = new IdentityHashMap<>();
			beanFactory.getBeansOfType(KafkaListenerEndpointRegistry.class, false, false)
				.values()
				.forEach((registry) -> registry.getAllListenerContainers()
					.forEach((container) -> containers.put(container, String.valueOf(container.getListenerId()))));
			beanFactory.getBeansOfType(MessageListenerContainer.class, false, false)
				.forEach((name, container) -> containers.putIfAbsent(container,
						(container.getListenerId() != null) ? container.getListenerId() : name));
			List<String> with = new ArrayList<>();
			List<String> without = new ArrayList<>();
			containers.forEach((container, id) -> (KafkaWorkBoundariesPostProcessor.hasWorkBoundaries(container)
					? with : without).add(id));
			Collections.sort(with);
			Collections.sort(without);
			return new KafkaDescriptor(with, without);
		}

	}

}
