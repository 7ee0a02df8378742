package io.github.connectionlifecycle.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Plain JDBC reads for tests that must not go through Spring.
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

	/** Opens a connection for one administrative statement. */
	@FunctionalInterface
	public interface AdminConnections {

		Connection open() throws SQLException;

	}

	/**
	 * Runs one administrative statement on a connection of its own.
	 * @param admin opens the connection, closed afterwards
	 * @param sql the statement
	 * @throws IllegalStateException if the statement fails
	 */
	public static void execute(AdminConnections admin, String sql) {
		try (Connection connection = admin.open(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Admin statement failed: " + sql, ex);
		}
	}

	/**
	 * The sessions connected to a database now, other than the one asking.
	 * @param admin a connection of the server
	 * @param database the database
	 * @return their ids, as {@code CONNECTION_ID()} returns them
	 * @throws SQLException if the server cannot list them
	 */
	public static List<Long> sessionIds(Connection admin, String database) throws SQLException {
		try (Statement statement = admin.createStatement();
				ResultSet sessions = statement.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '"
						+ database + "' AND ID <> CONNECTION_ID()")) {
			List<Long> ids = new ArrayList<>();
			while (sessions.next()) {
				ids.add(sessions.getLong(1));
			}
			return ids;
		}
	}

}
