package io.github.connectionlifecycle.jdbc.interception;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.util.Set;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * Tells connection-level failures (the connection is unusable) from statement-level ones
 * and from failures to obtain a connection. A pool that cannot lend (its borrow timeout,
 * HikariCP's {@code SQLTransientConnectionException}), a server that refuses a new
 * connection ("Too many connections", SQLState 08004) or cannot be reached at borrow says
 * nothing about the connections already open: those failures never count. Also tells a
 * server that refuses writes because it is read-only, as a demoted writer does after a
 * failover that left the connections open.
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

	/** MySQL and MariaDB ER_OPTION_PREVENTS_STATEMENT: "running with the --read-only option". */
	private static final int OPTION_PREVENTS_STATEMENT = 1290;

	/** MySQL ER_READ_ONLY_MODE: "Running in read-only mode". */
	private static final int READ_ONLY_MODE = 1836;

	/**
	 * MySQL and MariaDB ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION: the application's own
	 * read-only transaction, not the server's mode, although its SQLState is 25006 too.
	 */
	private static final int READ_ONLY_TRANSACTION = 1792;

	/** PostgreSQL read_only_sql_transaction: a standby, or default_transaction_read_only. */
	private static final String READ_ONLY_SQL_TRANSACTION = "25006";

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
		return anyCause(failure, borrowFailure, ConnectionErrors::isConnectionLevelItself);
	}

	/**
	 * Whether a failure says the server refuses writes because it is read-only (MySQL and
	 * MariaDB error 1290 for {@code --read-only}, MySQL error 1836, PostgreSQL SQLState 25006):
	 * after a failover, the connection points at the demoted writer. A read-only transaction
	 * the application asked for (MySQL and MariaDB error 1792) does not count.
	 * @param failure the failure, possibly wrapped by Spring or the application
	 * @param borrowFailure what a borrow in the unit failed with, if any
	 * @return {@code true} when the failure came from a read-only server
	 */
	static boolean isReadOnlyServer(@Nullable Throwable failure, @Nullable Throwable borrowFailure) {
		return anyCause(failure, borrowFailure, ConnectionErrors::isReadOnlyServerItself);
	}

	private static boolean anyCause(@Nullable Throwable failure, @Nullable Throwable borrowFailure,
			Predicate<Throwable> test) {
		boolean found = false;
		Throwable current = failure;
		for (int depth = 0; current != null && depth < MAX_DEPTH; depth++) {
			if (current == borrowFailure || current.getClass().getName().equals(CANNOT_GET_CONNECTION)) {
				return false;
			}
			found = found || test.test(current);
			current = (current.getCause() != current) ? current.getCause() : null;
		}
		return found;
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

	private static boolean isReadOnlyServerItself(Throwable failure) {
		if (!(failure instanceof SQLException sqlException)) {
			return false;
		}
		int errorCode = sqlException.getErrorCode();
		if (errorCode == OPTION_PREVENTS_STATEMENT) {
			// 1290 also names other options (--secure-file-priv, --skip-grant-tables).
			String message = sqlException.getMessage();
			return message != null && message.contains("read-only");
		}
		return errorCode == READ_ONLY_MODE
				|| (READ_ONLY_SQL_TRANSACTION.equals(sqlException.getSQLState()) && errorCode != READ_ONLY_TRANSACTION);
	}

}
