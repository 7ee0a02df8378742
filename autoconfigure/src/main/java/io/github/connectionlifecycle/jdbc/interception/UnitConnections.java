package io.github.connectionlifecycle.jdbc.interception;

import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What one unit of work did with connections, on its thread. It holds one entry per pool
 * and per physical connection the unit used, not per borrow, so a unit that borrows a
 * hundred thousand times from a pool of ten holds ten entries. Created at the unit's first
 * borrow; small arrays searched by identity, as a unit uses few pools and connections.
 */
final class UnitConnections {

	private ManagedDataSource[] touched = new ManagedDataSource[2];

	private int touchedCount;

	private boolean @Nullable [] broken;

	private ManagedConnection[] used = new ManagedConnection[4];

	private boolean[] healthChecked = new boolean[4];

	private int usedCount;

	private @Nullable Throwable borrowFailure;

	/**
	 * Notes that the unit borrows from a pool.
	 * @param dataSource the pool
	 * @return whether this is the unit's first borrow from it
	 */
	boolean touch(ManagedDataSource dataSource) {
		if (indexOf(dataSource) >= 0) {
			return false;
		}
		if (this.touchedCount == this.touched.length) {
			this.touched = Arrays.copyOf(this.touched, this.touchedCount * 2);
			if (this.broken != null) {
				this.broken = Arrays.copyOf(this.broken, this.touchedCount * 2);
			}
		}
		this.touched[this.touchedCount++] = dataSource;
		return true;
	}

	void used(ManagedConnection connection) {
		indexOfOrAdd(connection);
	}

	/**
	 * Whether a health check of this connection is still due in this unit; marks it done.
	 */
	boolean healthCheckDue(ManagedConnection connection) {
		int index = indexOfOrAdd(connection);
		boolean due = !this.healthChecked[index];
		this.healthChecked[index] = true;
		return due;
	}

	private int indexOfOrAdd(ManagedConnection connection) {
		for (int i = 0; i < this.usedCount; i++) {
			if (this.used[i] == connection) {
				return i;
			}
		}
		if (this.usedCount == this.used.length) {
			this.used = Arrays.copyOf(this.used, this.usedCount * 2);
			this.healthChecked = Arrays.copyOf(this.healthChecked, this.usedCount * 2);
		}
		this.used[this.usedCount] = connection;
		return this.usedCount++;
	}

	void brokenConnectionSeen(ManagedDataSource dataSource) {
		touch(dataSource);
		if (this.broken == null) {
			this.broken = new boolean[this.touched.length];
		}
		this.broken[indexOf(dataSource)] = true;
	}

	/** A borrow in this unit failed: the unit's failure, if it is that, breaks no connection. */
	void borrowFailed(Throwable failure) {
		this.borrowFailure = failure;
	}

	@Nullable Throwable borrowFailure() {
		return this.borrowFailure;
	}

	List<ManagedConnection> usedConnections() {
		return Arrays.asList(this.used).subList(0, this.usedCount);
	}

	List<ManagedDataSource> touched() {
		return Arrays.asList(this.touched).subList(0, this.touchedCount);
	}

	boolean sawBrokenConnection(ManagedDataSource dataSource) {
		int index = indexOf(dataSource);
		return this.broken != null && index >= 0 && this.broken[index];
	}

	int usedConnectionCount() {
		return this.usedCount;
	}

	private int indexOf(ManagedDataSource dataSource) {
		for (int i = 0; i < this.touchedCount; i++) {
			if (this.touched[i] == dataSource) {
				return i;
			}
		}
		return -1;
	}

}
