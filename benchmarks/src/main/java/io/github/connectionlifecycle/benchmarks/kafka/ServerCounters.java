package io.github.connectionlifecycle.benchmarks.kafka;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The server's own counters, read on one admin connection that lives for the whole session
 * (its session {@code wait_timeout} is raised so that it survives the 2 s setting, and it
 * never reconnects, so it adds nothing to {@code Connections}).
 * <p>
 * Each read is one statement, which the server counts in {@code Questions} too: a
 * {@linkplain #calibrate() calibration} reads twice in a row and the difference is what one
 * read adds, to be subtracted from a before/after delta. The {@code Com_*} counters say what
 * kind of statements they were ({@code Com_insert}, {@code Com_select}, {@code Com_set_option},
 * {@code Com_commit}, ...).
 */
final class ServerCounters implements AutoCloseable {

	private static final String READ = "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Connections') "
			+ "OR Variable_name LIKE 'Com\\_%'";

	private static final String QUESTIONS = "questions";

	private static final String CONNECTIONS = "connections";

	private final Connection connection;

	private final Statement statement;

	ServerCounters(EmbeddedMariaDbServer server) throws SQLException {
		this.connection = server.adminConnection();
		this.statement = this.connection.createStatement();
		this.statement.execute("SET SESSION wait_timeout = 28800");
	}

	/** The admin connection, for statements outside the measured window. */
	Statement statement() {
		return this.statement;
	}

	/**
	 * Reads the counters twice in a row.
	 * @return the second reading, and what one reading adds to {@code Questions}
	 */
	Calibrated calibrate() throws SQLException {
		Reading first = read();
		Reading second = read();
		return new Calibrated(second, first);
	}

	/** @return the counters now (one statement) */
	Reading read() throws SQLException {
		Map<String, Long> values = new TreeMap<>();
		try (ResultSet status = this.statement.executeQuery(READ)) {
			while (status.next()) {
				values.put(status.getString(1).toLowerCase(Locale.ROOT), status.getLong(2));
			}
		}
		if (!values.containsKey(QUESTIONS) || !values.containsKey(CONNECTIONS)) {
			throw new IllegalStateException("The server did not report Questions and Connections");
		}
		return new Reading(values);
	}

	@Override
	public void close() throws SQLException {
		this.connection.close();
	}

	/**
	 * @param values the counters by lower-case name
	 */
	record Reading(Map<String, Long> values) {

		/** @return statements received from clients (the server's {@code Questions}) */
		long questions() {
			return this.values.get(QUESTIONS);
		}

		/** @return connection attempts ({@code Connections}) */
		long connections() {
			return this.values.get(CONNECTIONS);
		}

		long value(String name) {
			return this.values.getOrDefault(name, 0L);
		}

	}

	/**
	 * @param reading the reading that starts a measured window
	 * @param previous the reading just before it, nothing else in between
	 */
	record Calibrated(Reading reading, Reading previous) {

		/**
		 * @param after the reading that ends the window
		 * @return the statements clients other than the admin connection sent in the window
		 */
		long statementsUntil(Reading after) {
			return delta(QUESTIONS, after);
		}

		/**
		 * @param after the reading that ends the window
		 * @return the connections opened in the window
		 */
		long connectionsUntil(Reading after) {
			return after.connections() - this.reading.connections();
		}

		/**
		 * @param after the reading that ends the window
		 * @return the non-zero {@code Com_*} counters of the window, by name without the prefix
		 * (the admin connection's reading subtracted)
		 */
		Map<String, Long> commandsUntil(Reading after) {
			Map<String, Long> commands = new TreeMap<>();
			for (String name : after.values().keySet()) {
				if (name.startsWith("com_")) {
					long delta = delta(name, after);
					if (delta != 0) {
						commands.put(name.substring(4), delta);
					}
				}
			}
			return commands;
		}

		private long delta(String name, Reading after) {
			long perRead = this.reading.value(name) - this.previous.value(name);
			return after.value(name) - this.reading.value(name) - perRead;
		}

	}

}
