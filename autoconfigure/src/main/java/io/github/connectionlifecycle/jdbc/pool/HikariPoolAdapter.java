package io.github.connectionlifecycle.jdbc.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.pool.ProxyConnection;

/**
 * Retires HikariCP connections with {@link HikariDataSource#evictConnection(Connection)}
 * and flushes with {@link HikariPoolMXBean#softEvictConnections()}. HikariCP ignores
 * {@code evictConnection} on anything but its own proxy, so handles of wrapping
 * DataSources are unwrapped to it first.
 */
final class HikariPoolAdapter implements PoolAdapter {

	/** HikariCP validates a borrowed connection idle longer than this (aliveBypassWindowMs). */
	private static final long ALIVE_BYPASS_NANOS = TimeUnit.MILLISECONDS
		.toNanos(Long.getLong("com.zaxxer.hikari.aliveBypassWindowMs", 500));

	/** HikariCP resets keepalive-time and max-lifetime below 30 s. */
	private static final long MIN_HIKARI_TIMING_MILLIS = 30_000;

	private final HikariDataSource hikari;

	HikariPoolAdapter(HikariDataSource hikari) {
		this.hikari = hikari;
	}

	/** HikariCP's handle unwraps to its delegate, the driver's connection, in one step. */
	@Override
	public Connection physicalConnection(Connection handle) {
		try {
			Connection physical = handle.unwrap(Connection.class);
			return (physical != null) ? physical : handle;
		}
		catch (SQLException | RuntimeException ex) {
			return PhysicalConnections.physical(handle);
		}
	}

	@Override
	public void retireHeld(Connection handle) throws SQLException {
		ProxyConnection own = PhysicalConnections.poolObject(handle, ProxyConnection.class);
		if (own == null) {
			GenericPoolAdapter.closePhysicalThenReturn(handle);
			return;
		}

		// Evicting a held connection closes it at once; closing the handle afterwards would
		// hand the removed entry back to the pool, so callers never do.
		this.hikari.evictConnection(own);
	}

	@Override
	public boolean retireReturned(Connection returnedHandle) {
		ProxyConnection own = PhysicalConnections.poolObject(returnedHandle, ProxyConnection.class);
		if (own == null || !isClosed(own)) {
			// Evicting an open handle would close it under its borrower.
			return false;
		}

		// On a closed handle HikariCP marks the entry evicted and closes it only if it can
		// reserve it (idle); a borrowed one is closed when it comes back.
		this.hikari.evictConnection(own);
		return true;
	}

	@Override
	public boolean canRetireReturned() {
		return true;
	}

	@Override
	public int flushIdleIfNoneInUse() {
		HikariPoolMXBean pool = this.hikari.getHikariPoolMXBean();
		if (pool == null) {
			return 0;
		}
		if (pool.getActiveConnections() > 0) {
			return -1;
		}
		int idle = pool.getIdleConnections();
		pool.softEvictConnections();
		return idle;
	}

	@Override
	public int idleConnections() {
		HikariPoolMXBean pool = this.hikari.getHikariPoolMXBean();
		return (pool != null) ? pool.getIdleConnections() : 0;
	}

	@Override
	public boolean validatesOnBorrow(long idleNanos) {
		return idleNanos > ALIVE_BYPASS_NANOS;
	}

	/** HikariCP resets every setting but holdability, and rolls back, when a connection is returned. */
	@Override
	public boolean restoresOnReturn(SessionSetting setting) {
		return setting != SessionSetting.HOLDABILITY;
	}

	@Override
	public List<String> settingsOutliving(Duration serverIdleTimeout) {
		long timeout = serverIdleTimeout.toMillis();
		long keepalive = this.hikari.getKeepaliveTime();
		long maxLifetime = this.hikari.getMaxLifetime();
		boolean pingedInTime = keepalive > 0 && keepalive < timeout;
		boolean retiredInTime = maxLifetime > 0 && maxLifetime < timeout;
		if (pingedInTime || retiredInTime) {
			return List.of();
		}
		String fix = (timeout > MIN_HIKARI_TIMING_MILLIS)
				? "set spring.datasource.hikari.keepalive-time below " + serverIdleTimeout.toSeconds() + " s"
				: "HikariCP cannot ping or retire connections sooner than 30 s, so raise the server's idle timeout above 30 s";
		return List.of("HikariCP pool '" + this.hikari.getPoolName() + "' keeps idle connections for up to "
				+ "max-lifetime=" + Duration.ofMillis(maxLifetime) + " with keepalive-time="
				+ Duration.ofMillis(keepalive) + " (" + fix + ")");
	}

	@Override
	public String describe() {
		// The pool is named when it starts, which may be after this is logged.
		return "HikariCP";
	}

	private static boolean isClosed(Connection handle) {
		try {
			return handle.isClosed();
		}
		catch (SQLException ex) {
			return false;
		}
	}

}
