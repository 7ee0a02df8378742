package io.github.connectionlifecycle.benchmarks.kafka;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the records a listener has handled and notes when the last expected one was. One
 * per run; the listener calls {@link #handled()} after its work for each record.
 */
final class RecordCounter {

	private final long expected;

	private final AtomicLong handled = new AtomicLong();

	private final CountDownLatch done = new CountDownLatch(1);

	private volatile long lastHandledNanos;

	RecordCounter(long expected) {
		this.expected = expected;
	}

	/** Called by the listener once per record, after it handled the record. */
	void handled() {
		if (this.handled.incrementAndGet() == this.expected) {
			this.lastHandledNanos = System.nanoTime();
			this.done.countDown();
		}
	}

	long count() {
		return this.handled.get();
	}

	/**
	 * @param timeout how long to wait at most
	 * @return the {@link System#nanoTime()} at which the last expected record was handled
	 * @throws IllegalStateException if they were not all handled in time
	 */
	long awaitAll(Duration timeout) throws InterruptedException {
		if (!this.done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new IllegalStateException(
					"Only " + count() + " of " + this.expected + " records were handled within " + timeout);
		}
		return this.lastHandledNanos;
	}

}
