package io.github.connectionlifecycle.metrics;

import java.util.concurrent.TimeUnit;

import io.github.connectionlifecycle.jdbc.interception.SweepStatistics;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.util.TimeUtils;

/**
 * Meters of the background sweep: its runs and their total time
 * ({@code connection.lifecycle.sweep}), and how late and how long its last run was.
 */
public final class SweepMeters implements MeterBinder {

	static final String SWEEP = "connection.lifecycle.sweep";

	static final String LATENESS = "connection.lifecycle.sweep.lateness";

	static final String LAST_DURATION = "connection.lifecycle.sweep.last.duration";

	private final SweepStatistics statistics;

	/**
	 * Creates the meters.
	 * @param statistics what the sweep records after every run
	 */
	public SweepMeters(SweepStatistics statistics) {
		this.statistics = statistics;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		FunctionTimer
			.builder(SWEEP, this.statistics, SweepStatistics::getRuns,
					(statistics) -> statistics.getTotalDuration().toNanos(), TimeUnit.NANOSECONDS)
			.description("Runs of the background sweep of idle and old connections")
			.register(registry);
		Gauge.builder(LATENESS, this.statistics, (statistics) -> TimeUtils.nanosToUnit(statistics.getLastLateness().toNanos(), TimeUnit.SECONDS))
			.description("How much later than scheduled the last sweep started")
			.baseUnit("seconds")
			.register(registry);
		Gauge.builder(LAST_DURATION, this.statistics, (statistics) -> TimeUtils.nanosToUnit(statistics.getLastDuration().toNanos(), TimeUnit.SECONDS))
			.description("How long the last sweep took")
			.baseUnit("seconds")
			.register(registry);
	}

}
