package io.github.connectionlifecycle.jdbc.interception;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import io.github.connectionlifecycle.jdbc.RetirementReason;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;


/**
 * What a borrow through a managed DataSource does (called by its proxy, see
 * {@link DataSourceProxies}): every connection handed out is a
 * {@link TrackedConnection}. Inside a unit of work, a connection that is too old, idle too
 * long, seen closed by the server or (with health checks) dead is retired and another one
 * borrowed, so the unit never gets it. A failure to obtain a connection is noted as such: it breaks no connection.
 */
final class ConnectionBorrowInterceptor implements MethodInterceptor {

	private static final Log logger = LogFactory.getLog(ConnectionBorrowInterceptor.class);

	/** Bounds the retire-and-borrow-again loop should a pool keep handing out stale connections. */
	private static final int MAX_RETIREMENTS_PER_BORROW = 64;

	private static final int HEALTH_CHECK_TIMEOUT_SECONDS = 5;

	private final DataSource pool;

	private final ManagedDataSource dataSource;

	private final ConnectionLifecycleCleanup cleanup;

	ConnectionBorrowInterceptor(DataSource pool, ManagedDataSource dataSource, ConnectionLifecycleCleanup cleanup) {
		this.pool = pool;
		this.dataSource = dataSource;
		this.cleanup = cleanup;
	}

	/**
	 * For interface proxies (pools of a final class, JDK-proxy wrappers).
	 */
	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		if (invocation.getMethod().getName().equals("getLifecycleTarget")) {
			return this.pool;
		}
		@Nullable Object[] args = invocation.getArguments();
		return (args.length == 0) ? getConnection() : getConnection((String) args[0], (String) args[1]);
	}

	Connection getConnection() throws SQLException {
		return getConnection(null, null);
	}

	Connection getConnection(@Nullable String username, @Nullable String password) throws SQLException {
		UnitConnections unit = this.cleanup.currentUnit();
		if (unit == null) {
			// Kept small so that it inlines into the proxy: most borrows of a web application take it.
			Connection handle = borrowFromPool(username, password);
			try {
				return new TrackedConnection(handle, this.dataSource.borrowed(handle), this.cleanup, false);
			}
			catch (RuntimeException | Error ex) {
				giveBack(handle, ex);
				throw ex;
			}
		}
		return getConnectionInUnit(unit, username, password);
	}

	/** A handle the pool lent but the lifecycle could not take on goes back to the pool. */
	private void giveBack(Connection handle, Throwable failure) {
		try {
			this.dataSource.pool().release(handle);
		}
		catch (SQLException | RuntimeException ex) {
			failure.addSuppressed(ex);
		}
	}

	private Connection getConnectionInUnit(UnitConnections unit, @Nullable String username,
			@Nullable String password) throws SQLException {
		if (unit.touch(this.dataSource)) {
			this.dataSource.flushIfQuietPastIdleLimit();
		}
		Connection handle = borrow(unit, username, password);
		for (int retired = 0;; retired++) {
			ManagedConnection connection;
			RetirementReason reason;
			try {
				connection = this.dataSource.borrowed(handle);
				reason = (retired < MAX_RETIREMENTS_PER_BORROW) ? reasonNotToUse(connection, unit) : null;
			}
			catch (RuntimeException | Error ex) {
				giveBack(handle, ex);
				throw ex;
			}
			if (reason == null) {
				unit.used(connection);
				return new TrackedConnection(handle, connection, this.cleanup, true);
			}
			this.dataSource.retireHeld(handle, connection, reason);
			if (reason == RetirementReason.BROKEN) {
				this.dataSource.retireIdleSiblingsOfBroken();
			}
			else if (reason == RetirementReason.CLOSED_BY_SERVER) {
				// Closed together, most likely: look the siblings up now rather than at the next check.
				this.dataSource.retireIdleClosedByServer();
			}
			handle = borrow(unit, username, password);
		}
	}

	private Connection borrow(UnitConnections unit, @Nullable String username, @Nullable String password)
			throws SQLException {
		try {
			return borrowFromPool(username, password);
		}
		catch (SQLException | RuntimeException ex) {
			unit.borrowFailed(ex);
			throw ex;
		}
	}

	private Connection borrowFromPool(@Nullable String username, @Nullable String password) throws SQLException {
		Connection handle = (username != null || password != null) ? this.pool.getConnection(username, password)
				: this.pool.getConnection();
		if (this.dataSource.isServerIdleTimeoutDue()) {
			try {
				this.dataSource.readServerIdleTimeoutFrom(handle, this.cleanup.isStartingUp());
			}
			catch (RuntimeException ex) {
				// connection.server-timeout-check=fail during start-up
				giveBack(handle, ex);
				throw ex;
			}
		}
		return handle;
	}

	private @Nullable RetirementReason reasonNotToUse(ManagedConnection connection, UnitConnections unit) {
		boolean healthChecks = this.dataSource.policy().healthChecks();
		boolean checksLiveness = this.dataSource.checksLiveness();
		if (!healthChecks && !checksLiveness && !connection.hasAgeLimit()
				&& this.dataSource.idleLimitNanos() == Long.MAX_VALUE) {
			// Nothing to check against a clock.
			return null;
		}
		long now = System.nanoTime();
		RetirementReason stale = this.dataSource.staleReason(connection, now);
		if (stale != null) {
			return stale;
		}
		boolean healthCheckDue = healthChecks && unit.healthCheckDue(connection);
		if (!healthCheckDue && !checksLiveness) {
			return null;
		}
		long idleNanos = connection.idleNanos(now);
		if (this.dataSource.pool().validatesOnBorrow(idleNanos)) {
			return null;
		}
		// What the operating system already knows costs no round trip.
		if (checksLiveness && this.dataSource.isClosedByServer(connection, idleNanos)) {
			return RetirementReason.CLOSED_BY_SERVER;
		}
		return (!healthCheckDue || isAlive(connection)) ? null : RetirementReason.BROKEN;
	}

	private boolean isAlive(ManagedConnection connection) {
		try {
			return connection.physical().isValid(HEALTH_CHECK_TIMEOUT_SECONDS);
		}
		catch (SQLException | RuntimeException | AbstractMethodError ex) {
			logger.debug("Health check failed", ex);
			return false;
		}
	}

}
