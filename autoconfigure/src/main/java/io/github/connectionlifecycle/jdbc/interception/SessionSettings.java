package io.github.connectionlifecycle.jdbc.interception;

import java.sql.Connection;
import java.sql.SQLException;

import io.github.connectionlifecycle.jdbc.pool.SessionSetting;
import org.jspecify.annotations.Nullable;

/**
 * Reads a session setting of a connection.
 */
final class SessionSettings {

	private SessionSettings() {
	}

	static @Nullable Object read(SessionSetting setting, Connection connection) throws SQLException {
		return switch (setting) {
			case AUTO_COMMIT -> connection.getAutoCommit();
			case READ_ONLY -> connection.isReadOnly();
			case TRANSACTION_ISOLATION -> connection.getTransactionIsolation();
			case CATALOG -> connection.getCatalog();
			case SCHEMA -> connection.getSchema();
			case HOLDABILITY -> connection.getHoldability();
		};
	}

}
