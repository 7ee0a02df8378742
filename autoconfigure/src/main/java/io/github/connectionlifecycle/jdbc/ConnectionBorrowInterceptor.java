package io.github.connectionlifecycle.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;

/**
 * Advice on {@code DataSource.getConnection(..)}: inside a unit of work, a connection that
 * is too old, idle too long or (with health checks) dead is retired and another one
 * borrowed, so the unit never gets it; every connection handed out is a
 * {@link TrackedConnection}.
 */
final class ConnectionBorrowInterceptor implements MethodInterceptor {

	private static final Log logger = LogFactory.getLog(ConnectionBorrowInterceptor.class);

	/** Bounds the retire-and-borrow-again loop should a pool keep handing out stale connections. */
	private static final int MAX_RETIREMENTS_PER_BORROW = 64;

	private static final int HEALTH_CHECK_TIMEOUT_SECONDS = 5;

	private final TrackedDataSource dataSource;

	private final ConnectionLifecycleCleanup cleanup;

	ConnectionBorrowInterceptor(TrackedDataSource dataSource, ConnectionLifecycleCleanup cleanup) {
		this.dataSource = dataSource;
		this.cleanup = cleanup;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		UnitConnections unit = this.cleanup.currentUnit();
		Connection handle = borrow(invocation, unit, false);
		PooledConnection pooled = this.dataSource.borrowed(handle);
		if (unit != null) {
			for (int retired = 0; retired < MAX_RETIREMENTS_PER_BORROW; retired++) {
				RetirementReason reason = reasonNotToUse(pooled, unit);
				if (reason == null) {
					break;
				}
				this.dataSource.retireHeld(handle, pooled, reason);
				if (reason == RetirementReason.BROKEN) {
					this.dataSource.retireIdleSiblingsOfBroken();
				}
				handle = borrow(invocation, unit, true);
				pooled = this.dataSource.borrowed(handle);
			}
			unit.borrowed(this.dataSource, pooled, handle);
		}
		return TrackedConnection.wrap(handle, pooled, this.dataSource, this.cleanup);
	}

	private Connection borrow(MethodInvocation invocation, @Nullable UnitConnections unit, boolean again)
			throws Throwable {
		try {
			// An invocation proceeds once; borrowing again needs a fresh copy of it.
			MethodInvocation call = (again && invocation instanceof ProxyMethodInvocation proxyInvocation)
					? proxyInvocation.invocableClone() : invocation;
			return (Connection) call.proceed();
		}
		catch (SQLException | RuntimeException ex) {
			if (unit != null && ConnectionErrors.isConnectionLevel(ex)) {
				unit.brokenConnectionSeen(this.dataSource);
			}
			throw ex;
		}
	}

	private @Nullable RetirementReason reasonNotToUse(PooledConnection pooled, UnitConnections unit) {
		RetirementReason stale = this.dataSource.staleReason(pooled);
		if (stale != null) {
			return stale;
		}
		if (this.dataSource.policy().healthChecks() && unit.healthCheckDue(pooled)
				&& !this.dataSource.pool().validatesOnBorrow(pooled.idleNanos(System.nanoTime()))) {
			return isAlive(pooled) ? null : RetirementReason.BROKEN;
		}
		return null;
	}

	private boolean isAlive(PooledConnection pooled) {
		try {
			return pooled.physical().isValid(HEALTH_CHECK_TIMEOUT_SECONDS);
		}
		catch (SQLException ex) {
			logger.debug("Health check failed", ex);
			return false;
		}
	}

}
