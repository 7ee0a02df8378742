package io.github.connectionlifecycle.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Reads one value with plain JDBC, for tests that must not go through Spring.
 */
public final class Sql {

	private Sql() {
	}

	/**
	 * Runs a query and reads a number from its first row.
	 * @param connection where to run it
	 * @param sql the query
	 * @param column the 1-based column to read
	 * @return the value
	 * @throws SQLException if the query fails or returns no row
	 */
	public static long queryLong(Connection connection, String sql, int column) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
			if (!result.next()) {
				throw new SQLException("No row from " + sql);
			}
			return result.getLong(column);
		}
	}

}
