package io.github.connectionlifecycle.jdbc.interception;

import java.sql.Connection;
import java.sql.SQLException;

import io.github.connectionlifecycle.jdbc.RetirementReason;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;

/**
 * Advice on {@code DataSource.getConnection(..)}: every connection handed out is a
 * {@link TrackedConnection}. Inside a unit of work, a connection that is too old, idle too
 * long or (with health checks) dead is retired and another one borrowed, so the unit never
 * gets it. A failure to obtain a connection is noted as such: it breaks no connection.
 */
final class ConnectionBorrowInterceptor implements MethodInterceptor {

	private static final Log logger = LogFactory.getLog(ConnectionBorrowInterceptor.class);

	/** Bounds the retire-and-borrow-again loop should a pool keep handing out stale connections. */
	private static final int MAX_RETIREMENTS_PER_BORROW = 64;

	private static final int HEALTH_CHECK_TIMEOUT_SECONDS = 5;

	private final ManagedDataSource dataSource;

	private final ConnectionLifecycleCleanup cleanup;

	ConnectionBorrowInterceptor(ManagedDataSource dataSource, ConnectionLifecycleCleanup cleanup) {
		this.dataSource = dataSource;
		this.cleanup = cleanup;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		UnitConnections unit = this.cleanup.currentUnit();
		if (unit == null) {
			Connection handle = (Connection) invocation.proceed();
			return new TrackedConnection(handle, this.dataSource.borrowed(handle), this.cleanup);
		}
		if (unit.touch(this.dataSource)) {
			this.dataSource.flushIfQuietPastIdleLimit();
		}
		Connection handle = borrow(invocation, unit, false);
		ManagedConnection connection = this.dataSource.borrowed(handle);
		for (int retired = 0; retired < MAX_RETIREMENTS_PER_BORROW; retired++) {
			RetirementReason reason = reasonNotToUse(connection, unit);
			if (reason == null) {
				break;
			}
			this.dataSource.retireHeld(handle, connection, reason);
			if (reason == RetirementReason.BROKEN) {
				this.dataSource.retireIdleSiblingsOfBroken();
			}
			handle = borrow(invocation, unit, true);
			connection = this.dataSource.borrowed(handle);
		}
		unit.used(connection);
		return new TrackedConnection(handle, connection, this.cleanup);
	}

	private Connection borrow(MethodInvocation invocation, UnitConnections unit, boolean again) throws Throwable {
		try {
			// An invocation proceeds once; borrowing again needs a fresh copy of it.
			MethodInvocation call = (again && invocation instanceof ProxyMethodInvocation proxyInvocation)
					? proxyInvocation.invocableClone() : invocation;
			return (Connection) call.proceed();
		}
		catch (SQLException | RuntimeException ex) {
			unit.borrowFailed(ex);
			throw ex;
		}
	}

	private @Nullable RetirementReason reasonNotToUse(ManagedConnection connection, UnitConnections unit) {
		long now = System.nanoTime();
		RetirementReason stale = this.dataSource.staleReason(connection, now);
		if (stale != null) {
			return stale;
		}
		if (this.dataSource.policy().healthChecks() && unit.healthCheckDue(connection)
				&& !this.dataSource.pool().validatesOnBorrow(connection.idleNanos(now))) {
			return isAlive(connection) ? null : RetirementReason.BROKEN;
		}
		return null;
	}

	private boolean isAlive(ManagedConnection connection) {
		try {
			return connection.physical().isValid(HEALTH_CHECK_TIMEOUT_SECONDS);
		}
		catch (SQLException ex) {
			logger.debug("Health check failed", ex);
			return false;
		}
	}

}
