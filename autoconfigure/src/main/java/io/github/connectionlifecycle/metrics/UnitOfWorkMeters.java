package io.github.connectionlifecycle.metrics;

import java.util.concurrent.atomic.LongAdder;

import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkBoundaryListener;
import io.github.connectionlifecycle.work.WorkKind;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Counts units of work by kind and outcome ({@code connection.lifecycle.units}) and the
 * failures of the lifecycle's own listeners ({@code connection.lifecycle.listener.failures}).
 * A unit costs one uncontended {@link LongAdder} increment when it finishes; the registry
 * reads the adders when it is scraped. No unit is timed: the entry points' own meters
 * (listener observations, scheduled task timers) do that.
 */
public final class UnitOfWorkMeters implements WorkBoundaryListener, MeterBinder {

	static final String UNITS = "connection.lifecycle.units";

	static final String LISTENER_FAILURES = "connection.lifecycle.listener.failures";

	private static final WorkKind[] KINDS = WorkKind.values();

	private final WorkBoundaries workBoundaries;

	/** Per kind: successes at {@code 2 * ordinal}, failures at {@code 2 * ordinal + 1}. */
	private final LongAdder[] units = new LongAdder[KINDS.length * 2];

	/**
	 * Creates the meters.
	 * @param workBoundaries whose listener failures are counted
	 */
	public UnitOfWorkMeters(WorkBoundaries workBoundaries) {
		this.workBoundaries = workBoundaries;
		for (int i = 0; i < this.units.length; i++) {
			this.units[i] = new LongAdder();
		}
	}

	@Override
	public void workFinished(UnitOfWork unit, @Nullable Throwable failure) {
		this.units[2 * unit.kind().ordinal() + ((failure != null) ? 1 : 0)].increment();
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (WorkKind kind : KINDS) {
			bindUnits(registry, kind, "SUCCESS", this.units[2 * kind.ordinal()]);
			bindUnits(registry, kind, "FAILURE", this.units[2 * kind.ordinal() + 1]);
		}
		FunctionCounter.builder(LISTENER_FAILURES, this.workBoundaries, WorkBoundaries::getListenerFailureCount)
			.description("Failures of listeners at unit-of-work boundaries, logged and swallowed")
			.register(registry);
	}

	private void bindUnits(MeterRegistry registry, WorkKind kind, String outcome, LongAdder count) {
		// The adders live as long as this binder, which the application context holds.
		FunctionCounter.builder(UNITS, count, LongAdder::sum)
			.description("Units of work that ran")
			.tag("kind", kind.name())
			.tag("outcome", outcome)
			.register(registry);
	}

}
