package io.github.connectionlifecycle.jdbc.interception;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What one unit of work did with connections, on its thread. It holds one entry per pool
 * and per physical connection the unit used, not per borrow, so a unit that borrows a
 * hundred thousand times from a pool of ten holds ten entries. Nothing is allocated until
 * the unit borrows.
 */
final class UnitConnections {

	private @Nullable List<ManagedDataSource> touched;

	private @Nullable List<ManagedDataSource> broken;

	/** The physical connections the unit used, and whether one was health-checked in it. */
	private @Nullable Map<ManagedConnection, Boolean> used;

	private @Nullable Throwable borrowFailure;

	/**
	 * Notes that the unit borrows from a pool.
	 * @param dataSource the pool
	 * @return whether this is the unit's first borrow from it
	 */
	boolean touch(ManagedDataSource dataSource) {
		List<ManagedDataSource> touched = this.touched;
		if (touched == null) {
			touched = new ArrayList<>(2);
			this.touched = touched;
		}
		else if (contains(touched, dataSource)) {
			return false;
		}
		touched.add(dataSource);
		return true;
	}

	void used(ManagedConnection connection) {
		Map<ManagedConnection, Boolean> used = this.used;
		if (used == null) {
			used = new IdentityHashMap<>(4);
			this.used = used;
		}
		used.putIfAbsent(connection, Boolean.FALSE);
	}

	/**
	 * Whether a health check of this connection is still due in this unit; marks it done.
	 */
	boolean healthCheckDue(ManagedConnection connection) {
		used(connection);
		return !Boolean.TRUE.equals(this.used.put(connection, Boolean.TRUE));
	}

	void brokenConnectionSeen(ManagedDataSource dataSource) {
		touch(dataSource);
		List<ManagedDataSource> broken = this.broken;
		if (broken == null) {
			broken = new ArrayList<>(1);
			this.broken = broken;
		}
		if (!contains(broken, dataSource)) {
			broken.add(dataSource);
		}
	}

	/** A borrow in this unit failed: the unit's failure, if it is that, breaks no connection. */
	void borrowFailed(Throwable failure) {
		this.borrowFailure = failure;
	}

	@Nullable Throwable borrowFailure() {
		return this.borrowFailure;
	}

	Iterable<ManagedConnection> usedConnections() {
		return (this.used != null) ? this.used.keySet() : List.of();
	}

	List<ManagedDataSource> touched() {
		return (this.touched != null) ? this.touched : List.of();
	}

	boolean sawBrokenConnection(ManagedDataSource dataSource) {
		return this.broken != null && contains(this.broken, dataSource);
	}

	int usedConnectionCount() {
		return (this.used != null) ? this.used.size() : 0;
	}

	private static boolean contains(List<ManagedDataSource> dataSources, ManagedDataSource dataSource) {
		for (int i = 0; i < dataSources.size(); i++) {
			if (dataSources.get(i) == dataSource) {
				return true;
			}
		}
		return false;
	}

}
