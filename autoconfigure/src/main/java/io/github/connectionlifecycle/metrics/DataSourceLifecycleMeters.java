package io.github.connectionlifecycle.metrics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.github.connectionlifecycle.jdbc.ConnectionRetiredEvent;
import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.jdbc.interception.ConnectionLifecycleCleanup;
import io.github.connectionlifecycle.jdbc.interception.ManagedDataSourceInfo;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.util.TimeUtils;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationListener;

/**
 * Meters of each DataSource under the lifecycle, tagged with its bean name
 * ({@code datasource}): retirements by reason, the age of retired connections, the
 * server's idle timeout, the idle limit and the max age in force, and the connections
 * tracked now. The pools are those under the lifecycle when the registry is bound (after
 * every singleton is created); counters and gauges are read when the registry is scraped.
 */
public final class DataSourceLifecycleMeters implements MeterBinder, ApplicationListener<ConnectionRetiredEvent> {

	static final String RETIREMENTS = "connection.lifecycle.retirements";

	static final String RETIRED_AGE = "connection.lifecycle.retired.connection.age";

	static final String SERVER_IDLE_TIMEOUT = "connection.lifecycle.server.idle.timeout";

	static final String IDLE_LIMIT = "connection.lifecycle.idle.limit";

	static final String MAX_AGE = "connection.lifecycle.max.age";

	static final String TRACKED = "connection.lifecycle.connections.tracked";

	private final ConnectionLifecycleCleanup cleanup;

	/** Held here: meters keep only weak references to what they read. */
	private final List<ManagedDataSourceInfo> bound = new CopyOnWriteArrayList<>();

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	/**
	 * Creates the meters.
	 * @param cleanup the cleanup whose DataSources are measured
	 */
	public DataSourceLifecycleMeters(ConnectionLifecycleCleanup cleanup) {
		this.cleanup = cleanup;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registries.add(registry);
		for (ManagedDataSourceInfo dataSource : this.cleanup.managedDataSources()) {
			this.bound.add(dataSource);
			String name = dataSource.getName();
			for (RetirementReason reason : RetirementReason.values()) {
				FunctionCounter.builder(RETIREMENTS, dataSource, (info) -> info.getRetirements(reason))
					.description("Connections the lifecycle retired")
					.tags("datasource", name, "reason", reason.name())
					.register(registry);
				retiredAge(registry, name, reason);
			}
			seconds(registry, SERVER_IDLE_TIMEOUT, "The server's idle timeout (wait_timeout); NaN while unknown",
					dataSource, ManagedDataSourceInfo::getServerIdleTimeout);
			seconds(registry, IDLE_LIMIT,
					"The longest a connection may have been idle and still serve a unit of work; NaN for none",
					dataSource, ManagedDataSourceInfo::getIdleLimit);
			seconds(registry, MAX_AGE, "connection.max-age; NaN when unset", dataSource,
					ManagedDataSourceInfo::getMaxAge);
			Gauge.builder(TRACKED, dataSource, (info) -> info.getTrackedConnections().count())
				.description("Physical connections the lifecycle tracks")
				.tag("datasource", name)
				.register(registry);
		}
	}

	/**
	 * Records the ages of retired connections; retirements are rare (each closes a physical
	 * connection), so a timer per retirement costs nothing that matters.
	 */
	@Override
	public void onApplicationEvent(ConnectionRetiredEvent event) {
		for (MeterRegistry registry : this.registries) {
			Timer timer = retiredAge(registry, event.getDataSourceName(), event.getReason());
			event.getAges().forEach(timer::record);
		}
	}

	private static Timer retiredAge(MeterRegistry registry, String dataSourceName, RetirementReason reason) {
		return Timer.builder(RETIRED_AGE)
			.description("Age of retired connections, from when they were opened")
			.tags("datasource", dataSourceName, "reason", reason.name())
			.register(registry);
	}

	private static void seconds(MeterRegistry registry, String name, String description,
			ManagedDataSourceInfo dataSource, Function<ManagedDataSourceInfo, @Nullable Duration> duration) {
		Gauge.builder(name, dataSource, (info) -> toSeconds(duration.apply(info)))
			.description(description)
			.tag("datasource", dataSource.getName())
			.baseUnit("seconds")
			.register(registry);
	}

	private static double toSeconds(@Nullable Duration duration) {
		return (duration != null) ? TimeUtils.nanosToUnit(duration.toNanos(), TimeUnit.SECONDS) : Double.NaN;
	}

}
