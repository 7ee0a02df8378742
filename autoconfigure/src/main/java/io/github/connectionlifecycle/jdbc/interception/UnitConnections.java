package io.github.connectionlifecycle.jdbc.interception;

import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * What one unit of work did with connections, on its thread. It holds one entry per pool
 * and per physical connection the unit used, not per borrow, so a unit that borrows a
 * hundred thousand times from a pool of ten holds ten entries. Created at the unit's first
 * borrow; entries are kept in small arrays searched by identity (a unit uses few pools and
 * connections), allocated only when a unit uses more than one.
 */
final class UnitConnections {

	private static final ManagedDataSource[] NO_DATA_SOURCES = {};

	private static final ManagedConnection[] NO_CONNECTIONS = {};

	private @Nullable ManagedDataSource firstTouched;

	private ManagedDataSource[] moreTouched = NO_DATA_SOURCES;

	private int touchedCount;

	private long brokenMask;

	private @Nullable ManagedConnection firstUsed;

	private ManagedConnection[] moreUsed = NO_CONNECTIONS;

	private int usedCount;

	private long healthCheckedMask;

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
		if (this.touchedCount == 0) {
			this.firstTouched = dataSource;
		}
		else {
			int index = this.touchedCount - 1;
			if (index == this.moreTouched.length) {
				this.moreTouched = Arrays.copyOf(this.moreTouched, Math.max(2, index * 2));
			}
			this.moreTouched[index] = dataSource;
		}
		this.touchedCount++;
		return true;
	}

	void used(ManagedConnection connection) {
		indexOfOrAdd(connection);
	}

	/**
	 * Whether a health check of this connection is still due in this unit; marks it done.
	 * Beyond 64 connections in one unit, every borrow is checked.
	 */
	boolean healthCheckDue(ManagedConnection connection) {
		int index = indexOfOrAdd(connection);
		long bit = (index < Long.SIZE) ? 1L << index : 0;
		boolean due = (this.healthCheckedMask & bit) == 0;
		this.healthCheckedMask |= bit;
		return due;
	}

	private int indexOfOrAdd(ManagedConnection connection) {
		for (int i = 0; i < this.usedCount; i++) {
			if (usedConnection(i) == connection) {
				return i;
			}
		}
		if (this.usedCount == 0) {
			this.firstUsed = connection;
		}
		else {
			int index = this.usedCount - 1;
			if (index == this.moreUsed.length) {
				this.moreUsed = Arrays.copyOf(this.moreUsed, Math.max(4, index * 2));
			}
			this.moreUsed[index] = connection;
		}
		return this.usedCount++;
	}

	void brokenConnectionSeen(ManagedDataSource dataSource) {
		touch(dataSource);
		int index = indexOf(dataSource);
		this.brokenMask |= (index < Long.SIZE) ? 1L << index : 0;
	}

	/** A borrow in this unit failed: the unit's failure, if it is that, breaks no connection. */
	void borrowFailed(Throwable failure) {
		this.borrowFailure = failure;
	}

	@Nullable Throwable borrowFailure() {
		return this.borrowFailure;
	}

	int usedConnectionCount() {
		return this.usedCount;
	}

	ManagedConnection usedConnection(int index) {
		return (index == 0) ? this.firstUsed : this.moreUsed[index - 1];
	}

	int touchedCount() {
		return this.touchedCount;
	}

	ManagedDataSource touched(int index) {
		return (index == 0) ? this.firstTouched : this.moreTouched[index - 1];
	}

	boolean sawBrokenConnection(int touchedIndex) {
		return touchedIndex < Long.SIZE && (this.brokenMask & (1L << touchedIndex)) != 0;
	}

	private int indexOf(ManagedDataSource dataSource) {
		for (int i = 0; i < this.touchedCount; i++) {
			if (touched(i) == dataSource) {
				return i;
			}
		}
		return -1;
	}

}
