package io.github.connectionlifecycle.jdbc;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

import org.jspecify.annotations.Nullable;

/**
 * Tells connection-level failures (the connection is unusable) from statement-level ones.
 */
final class ConnectionErrors {

	private static final int MAX_DEPTH = 16;

	private ConnectionErrors() {
	}

	/**
	 * Whether a failure, or any of its causes, says the connection itself is broken:
	 * SQLState class 08, {@link SQLRecoverableException},
	 * {@link SQLTransientConnectionException}, or a driver communication exception.
	 * @param failure the failure, possibly wrapped by Spring or the application
	 * @return {@code true} when the connection should be retired without trusting a ping
	 */
	static boolean isConnectionLevel(@Nullable Throwable failure) {
		Throwable current = failure;
		for (int depth = 0; current != null && depth < MAX_DEPTH; depth++) {
			if (current instanceof SQLException sqlException && isConnectionLevel(sqlException)) {
				return true;
			}
			if (current.getClass().getName().endsWith("CommunicationsException")) {
				return true;
			}
			current = (current.getCause() != current) ? current.getCause() : null;
		}
		return false;
	}

	private static boolean isConnectionLevel(SQLException ex) {
		if (ex instanceof SQLRecoverableException || ex instanceof SQLTransientConnectionException) {
			return true;
		}
		String sqlState = ex.getSQLState();
		return sqlState != null && sqlState.startsWith("08");
	}

}
