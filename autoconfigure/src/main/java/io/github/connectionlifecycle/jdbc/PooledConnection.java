package io.github.connectionlifecycle.jdbc;

import java.sql.Connection;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * What the lifecycle knows of one physical connection of a pool.
 */
final class PooledConnection {

	private final Connection physical;

	private final long openedAtMillis;

	private volatile @Nullable Connection lastHandle;

	private volatile boolean borrowed;

	private volatile long lastReturnedNanos;

	private volatile boolean everReturned;

	private volatile boolean retired;

	PooledConnection(Connection physical, long openedAtMillis) {
		this.physical = physical;
		this.openedAtMillis = openedAtMillis;
	}

	Connection physical() {
		return this.physical;
	}

	long ageMillis(long nowMillis) {
		return nowMillis - this.openedAtMillis;
	}

	/**
	 * How long it has been idle: the longer of what the driver reports (it sees borrowers the
	 * lifecycle never saw) and the time since it was last returned through the lifecycle.
	 * @param nowNanos {@link System#nanoTime()}
	 * @return idle nanoseconds, or -1 when neither the driver nor the lifecycle can tell
	 */
	long idleNanos(long nowNanos) {
		long returned = this.everReturned ? nowNanos - this.lastReturnedNanos : -1;
		Long driverIdleMillis = PhysicalConnections.idleMillis(this.physical);
		return (driverIdleMillis != null) ? Math.max(returned, TimeUnit.MILLISECONDS.toNanos(driverIdleMillis))
				: returned;
	}

	void borrowed(Connection handle) {
		this.lastHandle = handle;
		this.borrowed = true;
	}

	void returned(long nowNanos) {
		this.lastReturnedNanos = nowNanos;
		this.everReturned = true;
		this.borrowed = false;
	}

	boolean isBorrowed() {
		return this.borrowed;
	}

	@Nullable Connection lastHandle() {
		return this.lastHandle;
	}

	void markRetired() {
		this.retired = true;
		this.borrowed = false;
	}

	boolean isRetired() {
		return this.retired;
	}

	boolean isPhysicallyClosed() {
		try {
			return this.physical.isClosed();
		}
		catch (Exception ex) {
			return true;
		}
	}

}
