package io.github.connectionlifecycle.jdbc.interception;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * What the background sweep has done since start-up, for meters and the Actuator endpoint.
 * Written only by the sweep's own thread, once per run; read by anyone.
 */
public final class SweepStatistics {

	private volatile long runs;

	private volatile long totalNanos;

	private volatile long lastDurationNanos;

	private volatile long lastLatenessNanos;

	private volatile @Nullable Instant lastRunStart;

	void recorded(Instant start, long durationNanos, long latenessNanos) {
		this.lastRunStart = start;
		this.lastDurationNanos = durationNanos;
		this.lastLatenessNanos = latenessNanos;
		this.totalNanos += durationNanos;
		this.runs++;
	}

	/**
	 * How many times the sweep has run.
	 * @return the number of runs since start-up
	 */
	public long getRuns() {
		return this.runs;
	}

	/**
	 * How long all runs took together.
	 * @return the total duration of the runs
	 */
	public Duration getTotalDuration() {
		return Duration.ofNanos(this.totalNanos);
	}

	/**
	 * How long the last run took.
	 * @return its duration, zero before the first run
	 */
	public Duration getLastDuration() {
		return Duration.ofNanos(this.lastDurationNanos);
	}

	/**
	 * How much later than scheduled the last run started: a sweep that keeps starting late
	 * (a starved machine, a long pause) retires idle connections late.
	 * @return the delay, zero before the first run
	 */
	public Duration getLastLateness() {
		return Duration.ofNanos(this.lastLatenessNanos);
	}

	/**
	 * When the last run started.
	 * @return the start, or {@code null} before the first run
	 */
	public @Nullable Instant getLastRunStart() {
		return this.lastRunStart;
	}

}
