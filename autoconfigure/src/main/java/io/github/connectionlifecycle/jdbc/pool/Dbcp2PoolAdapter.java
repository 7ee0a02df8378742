package io.github.connectionlifecycle.jdbc.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.apache.commons.dbcp2.BasicDataSource;
import org.apache.commons.dbcp2.PoolableConnection;
import org.apache.commons.pool2.impl.GenericObjectPool;

/**
 * Retires Commons DBCP2 connections with {@link BasicDataSource#invalidateConnection(Connection)}
 * and flushes idle ones by clearing its {@link GenericObjectPool}, which destroys idle
 * objects only. A returned connection cannot be singled out without racing a borrower, so
 * max-age and idle limits act when a unit borrows it. DBCP2 validates every borrow by
 * default ({@code testOnBorrow}).
 */
final class Dbcp2PoolAdapter implements PoolAdapter {

	/** DBCP2's value for "no default isolation configured". */
	private static final int UNKNOWN_ISOLATION = -1;

	private final BasicDataSource dbcp;

	Dbcp2PoolAdapter(BasicDataSource dbcp) {
		this.dbcp = dbcp;
	}

	@Override
	public void retireHeld(Connection handle) throws SQLException {
		if (PhysicalConnections.poolObject(handle, PoolableConnection.class) == null) {
			GenericPoolAdapter.closePhysicalThenReturn(handle);
			return;
		}
		// Destroys the pooled object and frees its slot; the handle is not returned.
		this.dbcp.invalidateConnection(handle);
	}

	@Override
	public int flushIdleIfNoneInUse() {
		GenericObjectPool<PoolableConnection> pool = this.dbcp.getConnectionPool();
		if (pool == null) {
			return 0;
		}
		if (pool.getNumActive() > 0) {
			return -1;
		}
		int idle = pool.getNumIdle();
		pool.clear();
		return idle;
	}

	@Override
	public boolean canRefill() {
		return true;
	}

	/**
	 * Adds idle objects through Commons Pool, as DBCP2's own minimum-idle maintenance does:
	 * no borrow, so nothing is counted as borrowed or abandoned.
	 */
	@Override
	public int refillIdle(Consumer<Connection> opened) throws SQLException {
		GenericObjectPool<PoolableConnection> pool = this.dbcp.getConnectionPool();
		if (pool == null || pool.getNumActive() > 0) {
			return -1;
		}
		int maxTotal = this.dbcp.getMaxTotal();
		int target = Math.max(this.dbcp.getMinIdle(), 1);
		int idleBefore = pool.getNumIdle();
		try {
			// addObject adds nothing once the pool holds maxTotal (negative: no limit).
			for (int i = idleBefore; i < target && (maxTotal < 0 || i < maxTotal); i++) {
				pool.addObject();
			}
		}
		catch (Exception ex) {
			throw (ex instanceof SQLException sqlException) ? sqlException
					: new SQLException("Could not add an idle connection to the DBCP2 pool", ex);
		}
		return Math.max(0, pool.getNumIdle() - idleBefore);
	}

	@Override
	public int idleConnections() {
		GenericObjectPool<PoolableConnection> pool = this.dbcp.getConnectionPool();
		return (pool != null) ? pool.getNumIdle() : 0;
	}

	@Override
	public boolean validatesOnBorrow(long idleNanos) {
		return this.dbcp.getTestOnBorrow();
	}

	/**
	 * DBCP2 rolls back and restores auto-commit on return (its defaults), and sets the other
	 * settings on borrow only where a default is configured.
	 */
	@Override
	public boolean restoresOnReturn(SessionSetting setting) {
		return switch (setting) {
			case AUTO_COMMIT -> this.dbcp.getRollbackOnReturn() && this.dbcp.getAutoCommitOnReturn();
			case READ_ONLY -> this.dbcp.getDefaultReadOnly() != null;
			case TRANSACTION_ISOLATION -> this.dbcp.getDefaultTransactionIsolation() != UNKNOWN_ISOLATION;
			case CATALOG -> this.dbcp.getDefaultCatalog() != null;
			case SCHEMA -> this.dbcp.getDefaultSchema() != null;
			case HOLDABILITY -> false;
		};
	}

	@Override
	public List<String> settingsOutliving(Duration serverIdleTimeout) {
		long timeout = serverIdleTimeout.toMillis();
		long evictionRuns = this.dbcp.getDurationBetweenEvictionRuns().toMillis();
		long maxLifetime = this.dbcp.getMaxConnDuration().toMillis();
		boolean pingedInTime = this.dbcp.getTestWhileIdle() && evictionRuns > 0 && evictionRuns < timeout;
		boolean retiredInTime = maxLifetime > 0 && maxLifetime < timeout;
		if (this.dbcp.getTestOnBorrow() || pingedInTime || retiredInTime) {
			return List.of();
		}
		return List.of("Commons DBCP2 pool does not validate connections on borrow (set test-on-borrow=true, "
				+ "spring.datasource.dbcp2.test-on-borrow)");
	}

	@Override
	public String describe() {
		return "Commons DBCP2: held connections invalidated, idle ones cleared and refilled in the background; "
				+ "returned connections are retired when next borrowed by a unit of work";
	}

}
