package io.github.connectionlifecycle.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import javax.sql.DataSource;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.testsupport.JdbcDriver;
import io.github.connectionlifecycle.testsupport.RestartableMariaDb;
import io.github.connectionlifecycle.testsupport.RetirementRecorder;
import io.github.connectionlifecycle.testsupport.Sql;
import io.github.connectionlifecycle.testsupport.Units;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A failover that leaves the sockets open (Aurora, RDS): the pool's connections now point at
 * a server that refuses writes. Emulated with {@code SET GLOBAL read_only = ON} while the
 * pool holds connections: the write fails with error 1290, and the connection that met it
 * and its idle siblings are retired, so that the pool opens new ones (after a real failover,
 * to the new writer). With {@code connection.retire-on-read-only-errors=false} the pool
 * keeps them.
 * <p>
 * A server of its own: the embedded servers run without grant tables, where every session
 * may write to a read-only server. This one loads them once started, so that the pool's user
 * is an ordinary one (no SUPER, no READ_ONLY ADMIN); the admin session opened before keeps
 * every privilege.
 */
class ReadOnlyFailoverIntegrationTest {

	private static final int POOL_SIZE = 3;

	private static final String USER = "lifecycle_writer";

	private static final String PASSWORD = "writer-secret";

	private static final List<String> HOSTS = List.of("localhost", "%");

	/** Neither the server nor the idle sweep may close the pool's connections meanwhile. */
	private static final String LONG_SERVER_IDLE_TIMEOUT = "&sessionVariables=wait_timeout=600";

	private static final AtomicInteger databaseCounter = new AtomicInteger();

	private static RestartableMariaDb server;

	private static Connection admin;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, DataSourceConnectionLifecycleAutoConfiguration.class))
		.withBean(RetirementRecorder.class)
		.withPropertyValues("spring.datasource.username=" + USER, "spring.datasource.password=" + PASSWORD,
				"spring.datasource.hikari.maximum-pool-size=" + POOL_SIZE);

	@BeforeAll
	static void startServerWithGrantTables() throws SQLException {
		server = RestartableMariaDb.start();
		admin = DriverManager.getConnection(server.jdbcUrl("", JdbcDriver.MYSQL_CONNECTOR_J),
				EmbeddedMariaDb.username(), EmbeddedMariaDb.password());
		execute("FLUSH PRIVILEGES");
		// 'localhost' too: the install's anonymous ''@'localhost' would match before '%'.
		for (String host : HOSTS) {
			execute("CREATE USER '" + USER + "'@'" + host + "' IDENTIFIED BY '" + PASSWORD + "'");
		}
	}

	@AfterAll
	static void stopServer() throws SQLException {
		admin.close();
		server.close();
	}

	/** A plain statement: the lifecycle sees the error on the connection itself. */
	@ParameterizedTest
	@EnumSource(names = { "MYSQL_CONNECTOR_J", "MARIADB_CONNECTOR_J" })
	void aWriteRefusedByAReadOnlyServerRetiresTheConnectionAndItsIdleSiblings(JdbcDriver driver) {
		String database = writableDatabase("read_only_statement");
		this.contextRunner.withPropertyValues("spring.datasource.url=" + url(database, driver)).run((context) -> {
			List<Long> before = warmPool(context, database);
			failAWriteOnAReadOnlyServer(context, (jdbc) -> jdbc.update("INSERT INTO item VALUES (1)"));
			List<RetirementReason> reasons = context.getBean(RetirementRecorder.class).reasons();
			assertThat(reasons).contains(RetirementReason.READ_ONLY, RetirementReason.SIBLING_BROKEN);
			assertNoneOfThePoolsSessionsRemain(database, before);
		});
	}

	/**
	 * A prepared statement is the pool's own: the lifecycle sees the unit's failure, and
	 * flushes the idle connections, by then the one that met the error too.
	 */
	@ParameterizedTest
	@EnumSource(names = { "MYSQL_CONNECTOR_J", "MARIADB_CONNECTOR_J" })
	void aUnitFailedByAReadOnlyServerFlushesTheIdleConnections(JdbcDriver driver) {
		String database = writableDatabase("read_only_prepared");
		this.contextRunner.withPropertyValues("spring.datasource.url=" + url(database, driver)).run((context) -> {
			List<Long> before = warmPool(context, database);
			failAWriteOnAReadOnlyServer(context, (jdbc) -> jdbc.update("INSERT INTO item VALUES (?)", 1));
			assertThat(context.getBean(RetirementRecorder.class).reasons()).contains(RetirementReason.SIBLING_BROKEN);
			assertNoneOfThePoolsSessionsRemain(database, before);
		});
	}

	@ParameterizedTest
	@EnumSource(names = { "MYSQL_CONNECTOR_J", "MARIADB_CONNECTOR_J" })
	void withTheSettingOffTheConnectionsStay(JdbcDriver driver) {
		String database = writableDatabase("read_only_off");
		this.contextRunner
			.withPropertyValues("spring.datasource.url=" + url(database, driver),
					"connection.retire-on-read-only-errors=false")
			.run((context) -> {
				List<Long> before = warmPool(context, database);
				failAWriteOnAReadOnlyServer(context, (jdbc) -> jdbc.update("INSERT INTO item VALUES (1)"));
				failAWriteOnAReadOnlyServer(context, (jdbc) -> jdbc.update("INSERT INTO item VALUES (?)", 1));
				assertThat(context.getBean(RetirementRecorder.class).reasons()).isEmpty();
				assertThat(sessionIds(database)).containsExactlyInAnyOrderElementsOf(before);
			});
	}

	/** A database the pool's user may write to. */
	private static String writableDatabase(String prefix) {
		String database = prefix + "_" + databaseCounter.incrementAndGet();
		execute("CREATE DATABASE " + database);
		for (String host : HOSTS) {
			execute("GRANT ALL PRIVILEGES ON " + database + ".* TO '" + USER + "'@'" + host + "'");
		}
		execute("CREATE TABLE " + database + ".item (id INT)");
		return database;
	}

	private static String url(String database, JdbcDriver driver) {
		return server.jdbcUrl(database, driver) + LONG_SERVER_IDLE_TIMEOUT;
	}

	/** Every connection of the pool used in one unit, so that the lifecycle knows them all. */
	private static List<Long> warmPool(AssertableApplicationContext context, String database) {
		assertThat(context).hasNotFailed();
		Units.useConnectionsAtOnce(context, context.getBean(DataSource.class), POOL_SIZE);
		List<Long> sessions = sessionIds(database);
		assertThat(sessions).as("the pool's sessions").hasSize(POOL_SIZE);
		return sessions;
	}

	/** The failover: the server the pool points at refuses writes while a unit writes. */
	private static void failAWriteOnAReadOnlyServer(AssertableApplicationContext context,
			Consumer<JdbcTemplate> write) {
		JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
		execute("SET GLOBAL read_only = ON");
		try {
			assertThat(new Units(context).run("write", () -> write.accept(jdbc))).as("the write succeeded").isFalse();
		}
		finally {
			execute("SET GLOBAL read_only = OFF");
		}
	}

	private static void assertNoneOfThePoolsSessionsRemain(String database, List<Long> before) {
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(sessionIds(database)).doesNotContainAnyElementsOf(before));
	}

	private static List<Long> sessionIds(String database) {
		try {
			return Sql.sessionIds(admin, database);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void execute(String sql) {
		try (Statement statement = admin.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Admin statement failed: " + sql, ex);
		}
	}

}
