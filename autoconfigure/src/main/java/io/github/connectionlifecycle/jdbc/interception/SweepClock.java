package io.github.connectionlifecycle.jdbc.interception;

/**
 * A clock that the background sweep advances on every run, so that the hot path can note
 * activity and return times with plain reads instead of a clock call and a shared write
 * per borrow. Times it gives are never later than the truth, so idle times computed from
 * them are never shorter than the truth: a connection may be retired up to one sweep
 * interval early, never handed out idle too long. When the sweep is not running, it is the
 * system clock.
 */
final class SweepClock {

	private volatile boolean running;

	private volatile long tick;

	private volatile long tickStartNanos = System.nanoTime();

	/** Called by the sweep at the start of every run. */
	void advance() {
		this.tickStartNanos = System.nanoTime();
		this.tick++;
		this.running = true;
	}

	void stopped() {
		this.running = false;
	}

	/**
	 * The number of the current sweep run: activity noted under one tick happened no earlier
	 * than that run started.
	 * @return the tick
	 */
	long tick() {
		return this.tick;
	}

	/**
	 * Now, rounded down to the start of the current sweep run.
	 * @return {@link System#nanoTime()} scale
	 */
	long coarseNanos() {
		return this.running ? this.tickStartNanos : System.nanoTime();
	}

}
