package io.github.connectionlifecycle.benchmarks.kafka;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import io.github.connectionlifecycle.benchmarks.kafka.ThroughputApplication.CustomerDirectory;
import io.github.connectionlifecycle.benchmarks.kafka.ThroughputApplication.EventStore;
import io.github.connectionlifecycle.benchmarks.kafka.ThroughputApplication.InsertListener;
import io.github.connectionlifecycle.benchmarks.kafka.ThroughputApplication.NoJdbcListener;
import io.github.connectionlifecycle.benchmarks.kafka.ThroughputApplication.ReadThenInsertListener;

/** The listeners measured, each a scenario of its own. */
enum Scenario {

	/** One autocommit {@code JdbcTemplate} insert per record. */
	INSERT("insert", "one autocommit JdbcTemplate INSERT per record", true, EventStore.class,
			InsertListener.class),

	/**
	 * A {@code @Transactional(readOnly = true)} service method that looks the customer up
	 * (one {@code SELECT}), then an autocommit insert.
	 */
	READ_INSERT("read-insert",
			"a @Transactional(readOnly = true) lookup (one SELECT), then an autocommit JdbcTemplate INSERT", true,
			CustomerDirectory.class, EventStore.class, ReadThenInsertListener.class),

	/** A listener that does not touch the database (the application still has a pool). */
	NO_JDBC("no-jdbc", "no JDBC at all (the application still has a DataSource)", false, NoJdbcListener.class);

	private final String id;

	private final String description;

	private final boolean inserts;

	private final Class<?>[] components;

	Scenario(String id, String description, boolean inserts, Class<?>... components) {
		this.id = id;
		this.description = description;
		this.inserts = inserts;
		this.components = components;
	}

	String id() {
		return this.id;
	}

	String description() {
		return this.description;
	}

	/** @return whether every record inserts one row into {@code events} */
	boolean inserts() {
		return this.inserts;
	}

	Class<?>[] components() {
		return this.components.clone();
	}

	static Scenario of(String id) {
		for (Scenario scenario : values()) {
			if (scenario.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
				return scenario;
			}
		}
		throw new IllegalArgumentException("Unknown scenario '" + id + "'; choose from "
				+ Arrays.stream(values()).map(Scenario::id).collect(Collectors.joining(", ")));
	}

}
