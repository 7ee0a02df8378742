package io.github.connectionlifecycle.benchmarks.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.transaction.annotation.Transactional;

/**
 * The application measured: an ordinary Spring Boot Kafka consumer with a HikariCP
 * DataSource, everything auto-configured with defaults. Each run adds the components of one
 * {@link Scenario}; the starter is on or off by {@code connection.enabled} alone.
 * <p>
 * The listener does not start with the application: the benchmark starts it paused, waits
 * until it owns its partition, and then resumes it and starts the clock.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class ThroughputApplication {

	/** The id of the listener container, whatever the scenario. */
	static final String LISTENER_ID = "throughput";

	/** Writes one row per record, autocommit, as a repository on {@code JdbcTemplate} does. */
	public static class EventStore {

		private final JdbcTemplate jdbcTemplate;

		public EventStore(JdbcTemplate jdbcTemplate) {
			this.jdbcTemplate = jdbcTemplate;
		}

		public void insert(long recordOffset, String customerName, String payload) {
			this.jdbcTemplate.update("INSERT INTO events (record_offset, customer_name, payload) VALUES (?, ?, ?)",
					recordOffset, customerName, payload);
		}

	}

	/** A read-only transactional service, the usual shape of a lookup in a Spring app. */
	public static class CustomerDirectory {

		private final JdbcTemplate jdbcTemplate;

		public CustomerDirectory(JdbcTemplate jdbcTemplate) {
			this.jdbcTemplate = jdbcTemplate;
		}

		@Transactional(readOnly = true)
		public String name(long customerId) {
			return this.jdbcTemplate.queryForObject("SELECT name FROM customers WHERE id = ?", String.class,
					customerId);
		}

	}

	/** Scenario {@link Scenario#INSERT}. */
	public static class InsertListener {

		private final EventStore events;

		private final RecordCounter counter;

		public InsertListener(EventStore events, RecordCounter counter) {
			this.events = events;
			this.counter = counter;
		}

		@KafkaListener(id = LISTENER_ID, topics = "${benchmark.topic}", groupId = "${benchmark.group}",
				autoStartup = "false")
		public void onRecord(ConsumerRecord<String, String> record) {
			this.events.insert(record.offset(), null, record.value());
			this.counter.handled();
		}

	}

	/** Scenario {@link Scenario#READ_INSERT}. */
	public static class ReadThenInsertListener {

		private final CustomerDirectory customers;

		private final EventStore events;

		private final RecordCounter counter;

		public ReadThenInsertListener(CustomerDirectory customers, EventStore events, RecordCounter counter) {
			this.customers = customers;
			this.events = events;
			this.counter = counter;
		}

		@KafkaListener(id = LISTENER_ID, topics = "${benchmark.topic}", groupId = "${benchmark.group}",
				autoStartup = "false")
		public void onRecord(ConsumerRecord<String, String> record) {
			String customerName = this.customers.name(Long.parseLong(record.key()));
			this.events.insert(record.offset(), customerName, record.value());
			this.counter.handled();
		}

	}

	/** Scenario {@link Scenario#NO_JDBC}. */
	public static class NoJdbcListener {

		private final RecordCounter counter;

		public NoJdbcListener(RecordCounter counter) {
			this.counter = counter;
		}

		@KafkaListener(id = LISTENER_ID, topics = "${benchmark.topic}", groupId = "${benchmark.group}",
				autoStartup = "false")
		public void onRecord(ConsumerRecord<String, String> record) {
			this.counter.handled();
		}

	}

}
