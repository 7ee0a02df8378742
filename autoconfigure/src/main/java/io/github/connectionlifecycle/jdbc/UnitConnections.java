package io.github.connectionlifecycle.jdbc;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The connections one unit of work borrowed, per thread.
 */
final class UnitConnections {

	private final List<Borrow> borrows = new ArrayList<>();

	private final Set<TrackedDataSource> touched = new LinkedHashSet<>();

	private final Set<TrackedDataSource> broken = new HashSet<>();

	private final Set<PooledConnection> healthChecked = new HashSet<>();

	void borrowed(TrackedDataSource dataSource, PooledConnection connection, Connection handle) {
		this.touched.add(dataSource);
		this.borrows.add(new Borrow(dataSource, connection, handle));
	}

	void touched(TrackedDataSource dataSource) {
		this.touched.add(dataSource);
	}

	void brokenConnectionSeen(TrackedDataSource dataSource) {
		this.touched.add(dataSource);
		this.broken.add(dataSource);
	}

	/**
	 * Whether a health check of this connection is still due in this unit; marks it done.
	 */
	boolean healthCheckDue(PooledConnection connection) {
		return this.healthChecked.add(connection);
	}

	List<Borrow> borrows() {
		return this.borrows;
	}

	Set<TrackedDataSource> touched() {
		return this.touched;
	}

	boolean sawBrokenConnection(TrackedDataSource dataSource) {
		return this.broken.contains(dataSource);
	}

	record Borrow(TrackedDataSource dataSource, PooledConnection connection, Connection handle) {
	}

}
