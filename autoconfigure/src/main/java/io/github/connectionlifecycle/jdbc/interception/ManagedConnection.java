package io.github.connectionlifecycle.jdbc.interception;

import java.sql.Connection;
import java.util.concurrent.TimeUnit;

import io.github.connectionlifecycle.jdbc.pool.PhysicalConnections;
import org.jspecify.annotations.Nullable;

/**
 * What the lifecycle knows of one physical connection of a pool. Written by the thread that
 * holds the connection; read by the background sweep.
 */
final class ManagedConnection {

	private static final long NEVER = Long.MIN_VALUE;

	private final ManagedDataSource owner;

	private final Connection physical;

	/** {@link System#nanoTime()} scale; {@link Long#MAX_VALUE} without an age limit. */
	private final long retireAtNanos;

	private volatile @Nullable Connection lastHandle;

	private volatile boolean borrowed;

	/** When it was last returned through the lifecycle, at the sweep clock's resolution. */
	private volatile long returnedAtNanos = NEVER;

	private volatile boolean retired;

	ManagedConnection(ManagedDataSource owner, Connection physical, long retireAtNanos) {
		this.owner = owner;
		this.physical = physical;
		this.retireAtNanos = retireAtNanos;
	}

	ManagedDataSource owner() {
		return this.owner;
	}

	Connection physical() {
		return this.physical;
	}

	long retireAtNanos() {
		return this.retireAtNanos;
	}

	boolean isTooOld(long nowNanos) {
		return nowNanos - this.retireAtNanos >= 0 && this.retireAtNanos != Long.MAX_VALUE;
	}

	/**
	 * How long it has been idle: since it was last returned through the lifecycle (rounded
	 * up to the sweep clock), or, for a connection the lifecycle has not seen returned, what
	 * the driver says (it sees borrowers and statements the lifecycle never saw).
	 * @param nowNanos {@link System#nanoTime()}
	 * @return idle nanoseconds, or -1 when neither can tell
	 */
	long idleNanos(long nowNanos) {
		long returnedAt = this.returnedAtNanos;
		if (returnedAt != NEVER) {
			return nowNanos - returnedAt;
		}
		long driverIdleMillis = PhysicalConnections.idleMillis(this.physical);
		return (driverIdleMillis >= 0) ? TimeUnit.MILLISECONDS.toNanos(driverIdleMillis) : -1;
	}

	void borrowed(Connection handle) {
		if (this.lastHandle != handle) {
			this.lastHandle = handle;
		}
		this.borrowed = true;
	}

	void returned(long atNanos) {
		this.returnedAtNanos = atNanos;
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
