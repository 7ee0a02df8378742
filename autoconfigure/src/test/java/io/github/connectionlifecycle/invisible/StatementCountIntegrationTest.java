package io.github.connectionlifecycle.invisible;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.RestartableMariaDb;
import io.github.connectionlifecycle.testsupport.Sql;
import io.github.connectionlifecycle.testsupport.Units;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.data.repository.CrudRepository;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 7, point 1: with the starter, the database server receives exactly as many
 * statements per unit of work as without it, for every pool × unit kind. Counted with the
 * server's own counter ({@code SHOW GLOBAL STATUS LIKE 'Questions'}: every command a client
 * sends but pings and prepared-statement housekeeping) on a server of its own, so that no
 * other test class's pools add to it; each pool × kind with the starter off
 * ({@code connection.enabled=false}) and on ({@code connection.max-age=10m}).
 * <p>
 * Outside the measured window, named and excluded: start-up reads (the starter reads the
 * server's wait_timeout once, the pool opens its connections; each context is warmed up and
 * its pool full before the window), and the reads of the one admin session, calibrated by
 * reading the counter until two reads in a row cost the same. Inside it nothing else may
 * run: the server's wait_timeout is its default (8 h), so neither the server nor the
 * starter's idle sweep retires a connection, which the test checks by comparing the pool's
 * sessions before and after the window. The server's general log names the statements of a
 * difference in the failure message.
 */
class StatementCountIntegrationTest {

	private static final int UNITS = 50;

	private static final int WARM_UP_UNITS = 5;

	private static final int POOL_SIZE = 2;

	private static final AtomicInteger databaseCounter = new AtomicInteger();

	/** Statements per unit, by pool, unit kind and starter off/on, for the printed table. */
	private static final Map<String, double[]> results = new ConcurrentHashMap<>();

	private static RestartableMariaDb server;

	@BeforeAll
	static void startServer() {
		server = RestartableMariaDb.start();
	}

	@AfterAll
	static void stopServerAndPrintTable() {
		if (server != null) {
			server.close();
		}
		System.out.println(table());
	}

	enum Pool {

		HIKARI("com.zaxxer.hikari.HikariDataSource", "spring.datasource.hikari.maximum-pool-size=" + POOL_SIZE,
				"spring.datasource.hikari.minimum-idle=" + POOL_SIZE),

		TOMCAT("org.apache.tomcat.jdbc.pool.DataSource", "spring.datasource.tomcat.initial-size=" + POOL_SIZE,
				"spring.datasource.tomcat.max-active=" + POOL_SIZE, "spring.datasource.tomcat.min-idle=" + POOL_SIZE,
				"spring.datasource.tomcat.max-idle=" + POOL_SIZE, "spring.datasource.tomcat.jmx-enabled=false"),

		DBCP2("org.apache.commons.dbcp2.BasicDataSource", "spring.datasource.dbcp2.initial-size=" + POOL_SIZE,
				"spring.datasource.dbcp2.max-total=" + POOL_SIZE, "spring.datasource.dbcp2.min-idle=" + POOL_SIZE,
				"spring.datasource.dbcp2.max-idle=" + POOL_SIZE);

		private final String type;

		private final String[] properties;

		Pool(String type, String... properties) {
			this.type = type;
			this.properties = properties;
		}

	}

	enum UnitKind {

		/** One autocommit {@code JdbcTemplate} insert. */
		AUTOCOMMIT_INSERT,

		/** A {@code @Transactional} service method: an insert and a select in one transaction. */
		TRANSACTIONAL,

		/** A {@code @Transactional(readOnly = true)} service method: a select. */
		READ_ONLY_TRANSACTIONAL,

		/** JPA: an entity persisted and queried back through a Spring Data repository, in a transaction. */
		JPA

	}

	static Stream<Arguments> poolsAndUnitKinds() {
		List<Arguments> arguments = new ArrayList<>();
		for (Pool pool : Pool.values()) {
			for (UnitKind kind : UnitKind.values()) {
				arguments.add(Arguments.of(pool, kind));
			}
		}
		return arguments.stream();
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("poolsAndUnitKinds")
	void theServerReceivesAsManyStatementsPerUnitWithTheStarterAsWithout(Pool pool, UnitKind kind) {
		Measurement off = measure(pool, kind, "connection.enabled=false");
		Measurement on = measure(pool, kind, "connection.max-age=10m");
		results.put(pool + " " + kind, new double[] { (double) off.statements() / UNITS, (double) on.statements() / UNITS });
		assertThat(off.statements()).as("statements without the starter (the measurement works)").isPositive();
		if (kind == UnitKind.AUTOCOMMIT_INSERT) {
			assertThat(off.statements()).as("an autocommit insert is one statement: the admin reads are calibrated out")
				.isEqualTo(UNITS);
		}
		assertThat(on.statements())
			.as("statements the server received for %d %s units on %s with the starter (without: %d); "
					+ "statements logged only with it: %s; only without it: %s", UNITS, kind, pool, off.statements(),
					difference(on.logged(), off.logged()), difference(off.logged(), on.logged()))
			.isEqualTo(off.statements());
	}

	/**
	 * What the server received in the measured window: the count from its status
	 * counter, and the statements of the application's sessions from its general log
	 * (to name a difference, not to count).
	 */
	record Measurement(long statements, Map<String, Integer> logged) {
	}

	private static Map<String, Integer> difference(Map<String, Integer> these, Map<String, Integer> those) {
		Map<String, Integer> difference = new TreeMap<>();
		these.forEach((statement, count) -> {
			int more = count - those.getOrDefault(statement, 0);
			if (more > 0) {
				difference.put(statement, more);
			}
		});
		return difference;
	}

	/**
	 * Starts the application, warms it up, and counts the statements the server receives
	 * during {@link #UNITS} units.
	 */
	private Measurement measure(Pool pool, UnitKind kind, String starterSetting) {
		String database = "statements_" + databaseCounter.incrementAndGet();
		String url = server.createDatabase(database);
		Measurement[] measurement = new Measurement[1];
		contextRunner(kind).withPropertyValues("spring.datasource.url=" + url, "spring.datasource.type=" + pool.type,
				starterSetting)
			.withPropertyValues(pool.properties)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Runnable unit = unitOf(kind, context);
				Units units = new Units(context);
				// One admin session throughout: closing one would send the server a command
				// (COM_QUIT counts as a question) that it may process inside the window.
				try (Connection admin = adminConnection()) {
					for (int i = 0; i < WARM_UP_UNITS; i++) {
						assertThat(units.run("warm-up-" + i, unit)).as("warm-up unit").isTrue();
					}
					// The pool has opened all it will keep: no connection set-up in the window.
					Awaitility.await()
						.atMost(Duration.ofSeconds(30))
						.until(() -> sessionIds(admin, database).size() == POOL_SIZE);
					List<Long> sessionsBefore = sessionIds(admin, database);
					generalLog(admin, true);
					long adminReadCost = quietAdminReadCost(admin);
					long before = questions(admin);
					for (int i = 0; i < UNITS; i++) {
						assertThat(units.run(kind + "-" + i, unit)).as("unit %d", i).isTrue();
					}
					long after = questions(admin);
					generalLog(admin, false);
					measurement[0] = new Measurement(after - before - adminReadCost, loggedStatements(admin));
					assertThat(sessionIds(admin, database)).as("the pool kept its sessions through the measured window")
						.containsExactlyInAnyOrderElementsOf(sessionsBefore);
				}
			});
		return measurement[0];
	}

	/**
	 * What one read of the counter adds to it, once the server is quiet: two reads in a
	 * row that cost the same, so nothing else was counted between them.
	 */
	private static long quietAdminReadCost(Connection admin) {
		long[] reads = new long[3];
		Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
			reads[0] = questions(admin);
			reads[1] = questions(admin);
			reads[2] = questions(admin);
			return reads[1] - reads[0] == reads[2] - reads[1];
		});
		return reads[2] - reads[1];
	}

	private static ApplicationContextRunner contextRunner(UnitKind kind) {
		ApplicationContextRunner runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
					TransactionAutoConfiguration.class, ConnectionLifecycleAutoConfiguration.class,
					DataSourceConnectionLifecycleAutoConfiguration.class))
			.withPropertyValues("spring.datasource.username=root", "spring.datasource.password=");
		if (kind == UnitKind.JPA) {
			return runner
				.withConfiguration(AutoConfigurations.of(HibernateJpaAutoConfiguration.class,
						DataJpaRepositoriesAutoConfiguration.class))
				.withUserConfiguration(JpaApplication.class)
				.withPropertyValues("spring.jpa.hibernate.ddl-auto=create",
						"spring.jpa.database-platform=org.hibernate.dialect.MariaDBDialect");
		}
		return runner.withUserConfiguration(JdbcApplication.class);
	}

	private static Runnable unitOf(UnitKind kind, AssertableApplicationContext context) {
		return switch (kind) {
			case AUTOCOMMIT_INSERT -> {
				JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
				yield () -> jdbc.update("INSERT INTO items (name) VALUES (?)", "autocommit");
			}
			case TRANSACTIONAL -> {
				ItemService items = context.getBean(ItemService.class);
				yield items::insertAndCount;
			}
			case READ_ONLY_TRANSACTIONAL -> {
				ItemService items = context.getBean(ItemService.class);
				yield items::count;
			}
			case JPA -> {
				NoteService notes = context.getBean(NoteService.class);
				yield notes::persistAndQuery;
			}
		};
	}

	private static Connection adminConnection() throws SQLException {
		return DriverManager.getConnection(
				"jdbc:mysql://localhost:" + server.port() + "/?useSSL=false&allowPublicKeyRetrieval=true", "root", "");
	}

	private static void generalLog(Connection admin, boolean on) throws SQLException {
		try (Statement statement = admin.createStatement()) {
			if (on) {
				statement.execute("SET GLOBAL log_output = 'TABLE'");
				statement.execute("TRUNCATE TABLE mysql.general_log");
			}
			statement.execute("SET GLOBAL general_log = " + (on ? "ON" : "OFF"));
		}
	}

	/** The commands the general log holds, but the admin session's own, by type and text. */
	private static Map<String, Integer> loggedStatements(Connection admin) throws SQLException {
		Map<String, Integer> statements = new TreeMap<>();
		try (Statement statement = admin.createStatement();
				ResultSet log = statement.executeQuery(
						"SELECT command_type, argument FROM mysql.general_log WHERE thread_id <> CONNECTION_ID()")) {
			while (log.next()) {
				String command = log.getString(1);
				statements.merge(command.equals("Query") ? log.getString(2) : command + " " + log.getString(2), 1,
						Integer::sum);
			}
		}
		return statements;
	}

	/** The server's count of statements clients sent it, every session together. */
	private static long questions(Connection admin) throws SQLException {
		return Sql.queryLong(admin, "SHOW GLOBAL STATUS LIKE 'Questions'", 2);
	}

	private static List<Long> sessionIds(Connection admin, String database) throws SQLException {
		return Sql.sessionIds(admin, database);
	}

	private static String table() {
		StringBuilder table = new StringBuilder("\nServer statements per unit of work (" + UNITS
				+ " units, SHOW GLOBAL STATUS 'Questions'), starter off / on:\n");
		table.append(String.format("%-8s %-24s %8s %8s%n", "pool", "unit", "off", "on"));
		for (Pool pool : Pool.values()) {
			Map<UnitKind, double[]> byKind = new EnumMap<>(UnitKind.class);
			for (UnitKind kind : UnitKind.values()) {
				double[] counts = results.get(pool + " " + kind);
				if (counts != null) {
					byKind.put(kind, counts);
				}
			}
			byKind.forEach((kind, counts) -> table
				.append(String.format("%-8s %-24s %8.2f %8.2f%s%n", pool, kind, counts[0], counts[1],
						(counts[0] != counts[1]) ? "  <- differs" : "")));
		}
		return table.toString();
	}

	@Configuration(proxyBeanMethods = false)
	static class JdbcApplication {

		@Bean
		ItemService itemService(JdbcTemplate jdbc) {
			jdbc.execute("CREATE TABLE items (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL)");
			return new ItemService(jdbc);
		}

	}

	/** Transactional JDBC work, proxied by Spring's transaction management. */
	static class ItemService {

		private final JdbcTemplate jdbc;

		ItemService(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@Transactional
		public void insertAndCount() {
			this.jdbc.update("INSERT INTO items (name) VALUES (?)", "transactional");
			this.jdbc.queryForObject("SELECT COUNT(*) FROM items", Long.class);
		}

		@Transactional(readOnly = true)
		public void count() {
			this.jdbc.queryForObject("SELECT COUNT(*) FROM items", Long.class);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EntityScan(basePackageClasses = Note.class)
	@EnableJpaRepositories(basePackageClasses = NoteRepository.class, considerNestedRepositories = true)
	static class JpaApplication {

		@Bean
		NoteService noteService(NoteRepository notes) {
			return new NoteService(notes);
		}

	}

	@Entity
	static class Note {

		@Id
		@GeneratedValue(strategy = GenerationType.IDENTITY)
		private Long id;

		private String name;

		protected Note() {
		}

		Note(String name) {
			this.name = name;
		}

		Long getId() {
			return this.id;
		}

		String getName() {
			return this.name;
		}

	}

	interface NoteRepository extends CrudRepository<Note, Long> {

		long countByName(String name);

	}

	static class NoteService {

		private final NoteRepository notes;

		NoteService(NoteRepository notes) {
			this.notes = notes;
		}

		@Transactional
		public void persistAndQuery() {
			Note note = this.notes.save(new Note("jpa"));
			assertThat(note.getId()).isNotNull();
			assertThat(this.notes.countByName("jpa")).isPositive();
		}

	}

}
