package io.github.connectionlifecycle.jdbc.interception;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Tells connection-level failures (the connection is unusable) from statement-level ones
 * and from failures to obtain a connection. A pool that cannot lend (its borrow timeout,
 * HikariCP's {@code SQLTransientConnectionException}), a server that refuses a new
 * connection ("Too many connections", SQLState 08004) or cannot be reached at borrow says
 * nothing about the connections already open: those failures never count.
 */
final class ConnectionErrors {

	private static final int MAX_DEPTH = 16;

	/** SQLState of a server that rejected a new connection (MySQL's "Too many connections"). */
	private static final String REJECTED = "08004";

	/**
	 * PostgreSQL's SQLStates of a server ending the session, sent just before it closes the
	 * socket, so they reach the driver instead of a class 08 state: admin_shutdown (also
	 * {@code pg_terminate_backend}), crash_shutdown, cannot_connect_now (starting or shutting
	 * down), idle_session_timeout and idle_in_transaction_session_timeout.
	 */
	private static final Set<String> SESSION_ENDED = Set.of("57P01", "57P02", "57P03", "57P05", "25P03");

	private static final String CANNOT_GET_CONNECTION = "org.springframework.jdbc.CannotGetJdbcConnectionException";

	private ConnectionErrors() {
	}

	/**
	 * Whether a failure of an operation on a held connection says the connection is broken:
	 * SQLState class 08, PostgreSQL's states of a session the server ended,
	 * {@link SQLRecoverableException}, or a driver communication exception, in the failure
	 * or any of its causes.
	 * @param failure the failure, possibly wrapped by Spring or the application
	 * @return {@code true} when the connection should be retired without trusting a ping
	 */
	static boolean isConnectionLevel(@Nullable Throwable failure) {
		return isConnectionLevel(failure, null);
	}

	/**
	 * Whether a unit's failure says a connection it held is broken, leaving out failures to
	 * obtain one.
	 * @param failure the unit's failure
	 * @param borrowFailure what a borrow in the unit failed with, if any
	 * @return {@code true} when the failure came from a held connection
	 */
	static boolean isConnectionLevel(@Nullable Throwable failure, @Nullable Throwable borrowFailure) {
		boolean connectionLevel = false;
		Throwable current = failure;
		for (int depth = 0; current != null && depth < MAX_DEPTH; depth++) {
			if (current == borrowFailure || current.getClass().getName().equals(CANNOT_GET_CONNECTION)) {
				return false;
			}
			connectionLevel = connectionLevel || isConnectionLevelItself(current);
			current = (current.getCause() != current) ? current.getCause() : null;
		}
		return connectionLevel;
	}

	private static boolean isConnectionLevelItself(Throwable failure) {
		if (failure instanceof SQLException sqlException) {
			String sqlState = sqlException.getSQLState();
			if (REJECTED.equals(sqlState)) {
				return false;
			}
			if (sqlException instanceof SQLRecoverableException
					|| (sqlState != null && (sqlState.startsWith("08") || SESSION_ENDED.contains(sqlState)))) {
				return true;
			}
		}
		return failure.getClass().getName().endsWith("CommunicationsException");
	}

}
