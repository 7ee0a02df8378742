package io.github.connectionlifecycle.jdbc.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.tomcat.jdbc.pool.ConnectionPool;
import org.apache.tomcat.jdbc.pool.DataSource;
import org.apache.tomcat.jdbc.pool.PooledConnection;

/**
 * Retires Tomcat JDBC connections through the pool's own entries: a held connection is
 * marked discarded, so the pool closes it when the handle is returned; idle connections
 * are flushed with {@link ConnectionPool#purge()}. A returned connection cannot be reached
 * (its handle forgets the entry on close), so max-age and idle limits act when a unit
 * borrows it. Tomcat validates on borrow only with {@code testOnBorrow}, and then trusts a
 * connection validated within {@code validationInterval} (3 s by default): after a KILL or a
 * failover it hands out dead connections that were validated recently.
 */
final class TomcatPoolAdapter implements PoolAdapter {

	private final DataSource tomcat;

	TomcatPoolAdapter(DataSource tomcat) {
		this.tomcat = tomcat;
	}

	@Override
	public void retireHeld(Connection handle) throws SQLException {
		PooledConnection entry = PhysicalConnections.poolObject(handle, PooledConnection.class);
		if (entry == null) {
			GenericPoolAdapter.closePhysicalThenReturn(handle);
			return;
		}
		// A discarded entry is released, not kept, when its handle comes back.
		entry.setDiscarded(true);
		handle.close();
	}

	@Override
	public int flushIdleIfNoneInUse() {
		ConnectionPool pool = this.tomcat.getPool();
		if (pool == null) {
			return 0;
		}
		if (pool.getActive() > 0) {
			return -1;
		}
		int idle = pool.getIdle();
		// Releases idle connections now; one borrowed since the check is released on return.
		pool.purge();
		return idle;
	}

	@Override
	public boolean canRefill() {
		return true;
	}

	/**
	 * Tomcat JDBC opens connections only for borrowers: once the pool is empty, as the
	 * lifecycle's flushes leave it, borrows its minimum idle count at once (validated as
	 * Tomcat validates borrows) and gives them back.
	 */
	@Override
	public int refillIdle(Consumer<Connection> opened) throws SQLException {
		ConnectionPool pool = this.tomcat.getPool();
		if (pool == null || pool.getActive() > 0) {
			return -1;
		}
		if (pool.getIdle() > 0) {
			return 0;
		}
		int target = Math.min(Math.max(this.tomcat.getMinIdle(), 1), this.tomcat.getMaxActive());
		// Held at once: a handle given back would be lent again instead of a new one opened.
		List<Connection> held = new ArrayList<>(target);
		try {
			// Stops when a borrower comes in or the pool is full: it would wait for a connection.
			while (held.size() < target && pool.getActive() == held.size()
					&& pool.getSize() < this.tomcat.getMaxActive()) {
				Connection handle = pool.getConnection();
				held.add(handle);
				opened.accept(handle);
			}
			return held.size();
		}
		finally {
			for (Connection handle : held) {
				giveBack(handle);
			}
		}
	}

	private static void giveBack(Connection handle) {
		try {
			handle.close();
		}
		catch (SQLException ex) {
			// A pooled handle's close only returns it to the pool; Tomcat logs its own failures.
		}
	}

	@Override
	public int idleConnections() {
		ConnectionPool pool = this.tomcat.getPool();
		return (pool != null) ? pool.getIdle() : 0;
	}

	@Override
	public boolean validatesOnBorrow(long idleNanos) {
		// The last validation is at least as old as the idle time, so a connection idle
		// longer than the interval is validated.
		long interval = this.tomcat.getValidationInterval();
		return this.tomcat.isTestOnBorrow() && (interval <= 0 || idleNanos > TimeUnit.MILLISECONDS.toNanos(interval));
	}

	@Override
	public List<String> settingsOutliving(Duration serverIdleTimeout) {
		long timeout = serverIdleTimeout.toMillis();
		long interval = this.tomcat.getValidationInterval();
		long evictionRuns = this.tomcat.getTimeBetweenEvictionRunsMillis();
		long maxAge = this.tomcat.getMaxAge();
		boolean pingedInTime = this.tomcat.isTestWhileIdle() && evictionRuns > 0
				&& Math.max(evictionRuns, interval) < timeout;
		boolean reconnectedInTime = maxAge > 0 && maxAge < timeout;
		if (pingedInTime || reconnectedInTime) {
			return List.of();
		}
		String pool = "Tomcat JDBC pool '" + this.tomcat.getPoolName() + "'";
		if (!this.tomcat.isTestOnBorrow()) {
			return List.of(pool + " does not validate connections on borrow (set test-on-borrow=true, "
					+ "spring.datasource.tomcat.test-on-borrow)");
		}
		if (interval >= timeout) {
			return List.of(pool + " trusts connections validated within validation-interval="
					+ Duration.ofMillis(interval) + " (set validation-interval below " + serverIdleTimeout.toSeconds()
					+ " s, spring.datasource.tomcat.validation-interval)");
		}
		return List.of();
	}

	@Override
	public String describe() {
		return "Tomcat JDBC: held connections discarded, idle ones purged; returned connections are retired when next "
				+ "borrowed by a unit of work";
	}

}
