package io.github.connectionlifecycle.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.KafkaConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.SchedulingConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.EmbeddedKafka;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import org.apache.commons.dbcp2.BasicDataSource;
import org.apache.commons.dbcp2.BasicDataSourceMXBean;
import org.apache.tomcat.jdbc.pool.jmx.ConnectionPoolMBean;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.util.backoff.FixedBackOff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The concurrency fault, for one pool: four Kafka consumers insert one row per record while a
 * scheduled job reads the table, and every session of the pool is KILLed at random moments
 * from another thread. A delivery that fails is retried by the error handler a few times;
 * one that still fails is given up, and its record lost.
 */
final class ConcurrentKillScenario {

	static final int RECORDS = 3000;

	static final int PARTITIONS = 4;

	/** Retries of a failed delivery before the error handler gives the record up. */
	static final int RETRIES = 5;

	/** KILLs go on until every record is settled or this long has passed. */
	private static final Duration KILL_WINDOW = Duration.ofSeconds(30);

	/** After the KILLs, how long the backlog may take to drain. */
	private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class, DataSourceAutoConfiguration.class,
				JdbcTemplateAutoConfiguration.class, TaskSchedulingAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, DataSourceConnectionLifecycleAutoConfiguration.class,
				KafkaConnectionLifecycleAutoConfiguration.class, SchedulingConnectionLifecycleAutoConfiguration.class))
		.withUserConfiguration(KillScenarioConfiguration.class)
		.withPropertyValues("spring.kafka.bootstrap-servers=" + EmbeddedKafka.bootstrapServers(),
				"spring.kafka.consumer.auto-offset-reset=earliest",
				"spring.datasource.username=" + EmbeddedMariaDb.username(),
				"spring.datasource.password=" + EmbeddedMariaDb.password());

	/** A connection per consumer, one for the scheduled reader and one spare. */
	static final int POOL_SIZE = PARTITIONS + 2;

	/**
	 * Leak detection, and a borrow bounded like Tomcat's and DBCP2's max wait (3 s); the
	 * other pools have no leak detection, their active count at the end tells.
	 */
	private static final String[] HIKARI_PROPERTIES = { "spring.datasource.hikari.leak-detection-threshold=2000",
			"spring.datasource.hikari.connection-timeout=3000" };

	private final PoolUnderTest pool;

	ConcurrentKillScenario(PoolUnderTest pool) {
		this.pool = pool;
	}

	/**
	 * Runs the scenario.
	 * @param starter whether and how the starter is on
	 * @return what the KILLs did
	 */
	Outcome run(StarterSetup starter) {
		String url = EmbeddedMariaDb.createDatabase(
				"concurrent_kill_" + this.pool.name().toLowerCase() + "_" + starter.name().toLowerCase());
		String database = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
		// Created before the application starts: the scheduled job reads it at once.
		EmbeddedMariaDb.execute("CREATE TABLE " + database + ".records (id INT PRIMARY KEY)");
		AtomicReference<Outcome> outcome = new AtomicReference<>();
		try (PoolWarnings warnings = PoolWarnings.record()) {
			this.contextRunner.withPropertyValues(this.pool.properties(POOL_SIZE))
				.withPropertyValues((this.pool == PoolUnderTest.HIKARI) ? HIKARI_PROPERTIES : new String[0])
				.withPropertyValues(starter.properties(Fault.KILL))
				.withPropertyValues("spring.datasource.url=" + url,
						"test.topic=" + EmbeddedKafka.createTopic("concurrent-kill", PARTITIONS),
						"test.listener=" + EmbeddedKafka.uniqueGroup("concurrent-kill"))
				.run((context) -> {
					assertThat(context).hasNotFailed();
					RecordWriter writer = context.getBean(RecordWriter.class);
					TableReader reader = context.getBean(TableReader.class);
					long start = System.nanoTime();
					int kills;
					try (SessionKiller killer = SessionKiller.start(url)) {
						send(context.getBean(KafkaTemplate.class), context.getEnvironment().getProperty("test.topic"));
						awaitSettled(writer, KILL_WINDOW);
						kills = killer.stop();
					}
					boolean settled = awaitSettled(writer, DRAIN_TIMEOUT);
					long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
					int rows = FaultRunner.countRecords(url, RECORDS);
					Integer active = activeWhenSettled(activeConnections(context.getBean(DataSource.class)));
					int leakWarnings = warnings.containing(PoolWarnings.HIKARI_LEAK_DETECTED);
					FaultOutcome fault = new FaultOutcome(writer.failures() + reader.failures(), RECORDS - rows,
							warnings.count(), warnings.containing(PoolWarnings.HIKARI_VALIDATION_FAILED), null, null, false, -1, -1,
							RECORDS + " records " + (settled ? "settled in " + seconds + " s"
									: "NOT settled in " + seconds + " s") + ", " + kills + " KILL rounds, "
									+ writer.givenUp() + " given up, " + ((active != null) ? active : "-")
									+ " active after, " + leakWarnings + " leak warnings");
					outcome.set(new Outcome(fault, active, leakWarnings));
				});
		}
		return outcome.get();
	}

	/** @return whether every record was written or given up within the timeout */
	private static boolean awaitSettled(RecordWriter writer, Duration timeout) {
		try {
			await().atMost(timeout).until(() -> writer.settled() >= RECORDS);
			return true;
		}
		catch (ConditionTimeoutException ex) {
			return false;
		}
	}

	/**
	 * The pool's count of connections in use, through its own API, behind the starter's
	 * proxy.
	 * @return the count, or {@code null} for SingleConnectionDataSource, which has no pool
	 */
	private @Nullable IntSupplier activeConnections(DataSource dataSource) {
		return switch (this.pool) {
			case HIKARI -> DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class, HikariDataSource.class)
				.getHikariPoolMXBean()::getActiveConnections;
			case TOMCAT -> DataSourceUnwrapper
				.unwrap(dataSource, ConnectionPoolMBean.class, org.apache.tomcat.jdbc.pool.DataSource.class)::getActive;
			case DBCP2 -> DataSourceUnwrapper.unwrap(dataSource, BasicDataSourceMXBean.class,
					BasicDataSource.class)::getNumActive;
			case SINGLE_CONNECTION -> null;
		};
	}

	/** @return the active connections once they are back, or after 10 s what is still out */
	private static @Nullable Integer activeWhenSettled(@Nullable IntSupplier active) {
		if (active == null) {
			return null;
		}
		try {
			// The value seen at 0: the scheduled reader borrows again every 50 ms afterwards.
			return await().atMost(Duration.ofSeconds(10)).until(active::getAsInt, (count) -> count == 0);
		}
		catch (ConditionTimeoutException ex) {
			return active.getAsInt(); // reported as leaked
		}
	}

	/**
	 * @param fault the outcome in the matrix's terms
	 * @param activeAfter connections still in use once the work is done, {@code null}
	 * without a pool
	 * @param leakWarnings HikariCP's "Connection leak detection" warnings
	 */
	record Outcome(FaultOutcome fault, @Nullable Integer activeAfter, int leakWarnings) {

	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static void send(KafkaTemplate kafka, String topic) {
		List<CompletableFuture<?>> sends = new ArrayList<>();
		for (int id = 1; id <= RECORDS; id++) {
			sends.add(kafka.send(topic, String.valueOf(id), String.valueOf(id)));
		}
		CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
	}

	/**
	 * KILLs every session of one database at random moments, 20 to 200 ms apart, until
	 * stopped.
	 */
	private static final class SessionKiller implements AutoCloseable {

		private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "session-killer");
			thread.setDaemon(true);
			return thread;
		});

		private final String url;

		private final AtomicInteger rounds = new AtomicInteger();

		private SessionKiller(String url) {
			this.url = url;
		}

		static SessionKiller start(String url) {
			SessionKiller killer = new SessionKiller(url);
			killer.scheduleNext();
			return killer;
		}

		private void scheduleNext() {
			if (!this.executor.isShutdown()) {
				this.executor.schedule(this::killAll, ThreadLocalRandom.current().nextLong(20, 200),
						TimeUnit.MILLISECONDS);
			}
		}

		private void killAll() {
			if (EmbeddedMariaDb.killSessions(this.url) > 0) {
				this.rounds.incrementAndGet();
			}
			scheduleNext();
		}

		/** @return how many rounds killed at least one session */
		int stop() {
			this.executor.shutdownNow();
			try {
				assertThat(this.executor.awaitTermination(30, TimeUnit.SECONDS)).as("session killer stopped").isTrue();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return this.rounds.get();
		}

		@Override
		public void close() {
			stop();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class KillScenarioConfiguration {

		@Bean
		RecordWriter recordWriter(JdbcTemplate jdbc) {
			return new RecordWriter(jdbc);
		}

		@Bean
		TableReader tableReader(JdbcTemplate jdbc) {
			return new TableReader(jdbc);
		}

		@Bean
		CommonErrorHandler retryingErrorHandler(RecordWriter writer) {
			return new DefaultErrorHandler((record, ex) -> writer.gaveUp(record.value()),
					new FixedBackOff(50, RETRIES));
		}

	}

	/** Inserts one row per record, idempotently: a retried record never yields two. */
	static class RecordWriter {

		private final JdbcTemplate jdbc;

		private final Set<Object> settled = ConcurrentHashMap.newKeySet();

		private final AtomicInteger failures = new AtomicInteger();

		private final AtomicInteger givenUp = new AtomicInteger();

		RecordWriter(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@KafkaListener(id = "${test.listener}", topics = "${test.topic}", concurrency = "" + PARTITIONS)
		void onRecord(String id) {
			try {
				this.jdbc.update("INSERT IGNORE INTO records (id) VALUES (?)", Integer.parseInt(id));
			}
			catch (DataAccessException ex) {
				this.failures.incrementAndGet();
				throw ex;
			}
			this.settled.add(id);
		}

		void gaveUp(Object id) {
			this.givenUp.incrementAndGet();
			this.settled.add(id);
		}

		/** @return records written or given up */
		int settled() {
			return this.settled.size();
		}

		int failures() {
			return this.failures.get();
		}

		int givenUp() {
			return this.givenUp.get();
		}

	}

	/** A scheduled job reading what the consumers wrote. */
	static class TableReader {

		private final JdbcTemplate jdbc;

		private final AtomicInteger failures = new AtomicInteger();

		TableReader(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@Scheduled(fixedDelay = 50)
		public void read() {
			try {
				this.jdbc.queryForObject("SELECT COUNT(*) FROM records", Integer.class);
			}
			catch (DataAccessException ex) {
				this.failures.incrementAndGet();
				throw ex;
			}
		}

		int failures() {
			return this.failures.get();
		}

	}

}
