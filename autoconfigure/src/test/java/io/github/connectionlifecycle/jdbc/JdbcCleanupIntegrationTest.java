package io.github.connectionlifecycle.jdbc;

import java.sql.Connection;
import java.sql.SQLRecoverableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.testsupport.JdbcDriver;
import io.github.connectionlifecycle.testsupport.RetirementRecorder;
import io.github.connectionlifecycle.work.WorkBoundaries;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Connection cleanup against a real MariaDB server whose wait_timeout is 2 s, with units of
 * work opened through {@link WorkBoundaries}; the idle gap, max-age, KILL and server-timeout
 * tests with mysql-connector-j and with MariaDB Connector/J.
 */
@ExtendWith(OutputCaptureExtension.class)
class JdbcCleanupIntegrationTest {

	private static final String HIKARI_VALIDATION_WARNING = "Failed to validate connection";

	private static final long IDLE_GAP_MILLIS = (EmbeddedMariaDb.WAIT_TIMEOUT_SECONDS + 1) * 1000L;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				DataSourceTransactionManagerAutoConfiguration.class,
				DataSourceTransactionManagerAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, DataSourceConnectionLifecycleAutoConfiguration.class))
		.withPropertyValues("spring.datasource.username=" + EmbeddedMariaDb.username(),
				"spring.datasource.password=" + EmbeddedMariaDb.password(),
				"spring.datasource.hikari.maximum-pool-size=4");

	private ApplicationContextRunner withDatabase(String name) {
		return withDatabase(name, JdbcDriver.MYSQL_CONNECTOR_J);
	}

	private ApplicationContextRunner withDatabase(String name, JdbcDriver driver) {
		return this.contextRunner
			.withPropertyValues("spring.datasource.url=" + EmbeddedMariaDb.createDatabase(name, driver));
	}

	@ParameterizedTest
	@EnumSource(names = { "MYSQL_CONNECTOR_J", "MARIADB_CONNECTOR_J" })
	void unitsAfterIdleGapsMeetNoDeadConnection(JdbcDriver driver, CapturedOutput output) {
		String url = EmbeddedMariaDb.createDatabase("idle_gap", driver);
		this.contextRunner.withPropertyValues("spring.datasource.url=" + url).run((context) -> {
			WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
			for (int unit = 0; unit < 3; unit++) {
				Thread.sleep(IDLE_GAP_MILLIS); // the idle gap is the scenario: the server closes idle connections
				// The server has closed every connection idle for 2 s; live ones are replacements
				// the background sweep had the pool open before the unit came.
				Awaitility.await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(EmbeddedMariaDb.sessionIds(url)).isNotEmpty());
				boundaries.run("after-gap-" + unit, () -> jdbc.queryForObject("SELECT 1", Integer.class));
			}
		});
		assertThat(output).doesNotContain(HIKARI_VALIDATION_WARNING);
	}

	@Test
	void withoutTheStarterHikariWalksThroughDeadConnections(CapturedOutput output) {
		withDatabase("idle_gap_off").withPropertyValues("connection.enabled=false").run((context) -> {
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
			jdbc.queryForObject("SELECT 1", Integer.class);
			Thread.sleep(IDLE_GAP_MILLIS);
			jdbc.queryForObject("SELECT 1", Integer.class);
		});
		assertThat(output).contains(HIKARI_VALIDATION_WARNING);
	}

	@Test
	void everyDataSourceBeanIsHandled(CapturedOutput output) {
		this.contextRunner.withPropertyValues("connection.server-timeout-check=off")
			.withBean("primary", HikariDataSource.class, () -> hikari("primary"))
			.withBean("reporting", HikariDataSource.class, () -> hikari("reporting"))
			.withBean(RetirementRecorder.class)
			.run((context) -> {
				WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
				JdbcTemplate primary = new JdbcTemplate(context.getBean("primary", DataSource.class));
				JdbcTemplate reporting = new JdbcTemplate(context.getBean("reporting", DataSource.class));
				for (int unit = 0; unit < 2; unit++) {
					Thread.sleep(IDLE_GAP_MILLIS); // the idle gap is the scenario
					boundaries.run("both-" + unit, () -> {
						primary.queryForObject("SELECT 1", Integer.class);
						reporting.queryForObject("SELECT 1", Integer.class);
					});
				}
				assertThat(context.getBean(RetirementRecorder.class).dataSources()).contains("primary", "reporting");
			});
		assertThat(output).doesNotContain(HIKARI_VALIDATION_WARNING);
	}

	private static HikariDataSource hikari(String name) {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl(EmbeddedMariaDb.createDatabase(name));
		dataSource.setUsername(EmbeddedMariaDb.username());
		dataSource.setPassword(EmbeddedMariaDb.password());
		dataSource.setMaximumPoolSize(2);
		return dataSource;
	}

	@ParameterizedTest
	@EnumSource(names = { "MYSQL_CONNECTOR_J", "MARIADB_CONNECTOR_J" })
	void maxAgeZeroGivesEveryUnitAConnectionNoEarlierUnitUsed(JdbcDriver driver) {
		withDatabase("max_age_zero", driver).withPropertyValues("connection.max-age=0").run((context) -> {
			WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
			List<Long> ids = new ArrayList<>();
			for (int unit = 0; unit < 5; unit++) {
				boundaries.run("unit-" + unit, () -> {
					ids.add(connectionId(jdbc));
					ids.add(connectionId(jdbc));
				});
			}
			for (int unit = 0; unit < 5; unit++) {
				assertThat(ids.get(2 * unit)).as("one connection within a unit").isEqualTo(ids.get(2 * unit + 1));
			}
			assertThat(ids.stream().distinct()).as("a new connection for every unit").hasSize(5);
		});
	}

	@ParameterizedTest
	@EnumSource(names = { "MYSQL_CONNECTOR_J", "MARIADB_CONNECTOR_J" })
	void maxAgeRetiresConnectionsOlderThanItAtTheNextUse(JdbcDriver driver) {
		withDatabase("max_age", driver)
			.withPropertyValues("connection.max-age=3s",
					"spring.datasource.hikari.connection-init-sql=SET SESSION wait_timeout=60")
			.withBean(RetirementRecorder.class)
			.run((context) -> {
				WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
				JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
				long createdAtStartup = connectionId(jdbc);
				List<Long> ids = new CopyOnWriteArrayList<>();
				for (int unit = 0; unit < 3; unit++) {
					boundaries.run("young-" + unit, () -> ids.add(connectionId(jdbc)));
				}
				assertThat(ids).as("units within max-age share one connection").containsOnly(createdAtStartup);
				Thread.sleep(3500); // let the connection outgrow max-age
				boundaries.run("old", () -> ids.add(connectionId(jdbc)));
				assertThat(ids.get(3)).as("a connection older than max-age is not handed to a unit")
					.isNotEqualTo(createdAtStartup);
				assertThat(context.getBean(RetirementRecorder.class).reasons()).contains(RetirementReason.MAX_AGE);
			});
	}

	@Test
	void aConnectionHeldInATransactionIsNotTouchedWhenAnotherThreadsUnitFinishes() {
		withDatabase("held").withPropertyValues("connection.max-age=0").run((context) -> {
			WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
			TransactionTemplate transaction = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
			jdbc.execute("CREATE TABLE events (id INT PRIMARY KEY)");
			CountDownLatch holding = new CountDownLatch(1);
			CountDownLatch otherUnitDone = new CountDownLatch(1);
			CompletableFuture<long[]> holder = CompletableFuture.supplyAsync(() -> {
				long[] ids = new long[2];
				boundaries.run("holder", () -> transaction.executeWithoutResult((status) -> {
					ids[0] = connectionId(jdbc);
					jdbc.update("INSERT INTO events VALUES (1)");
					holding.countDown();
					await(otherUnitDone);
					jdbc.update("INSERT INTO events VALUES (2)");
					ids[1] = connectionId(jdbc);
				}));
				return ids;
			});
			await(holding);
			// The most aggressive cleanup: max-age 0 and a connection-level failure, which
			// flushes idle connections.
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> boundaries.run("failing", () -> {
				jdbc.queryForObject("SELECT 1", Integer.class);
				throw new IllegalStateException(new SQLRecoverableException("link failure", "08S01"));
			}));
			otherUnitDone.countDown();
			long[] ids = holder.get(30, TimeUnit.SECONDS);
			assertThat(ids[1]).as("the held connection survived").isEqualTo(ids[0]);
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM events", Integer.class)).isEqualTo(2);
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "com.zaxxer.hikari.HikariDataSource", "org.apache.tomcat.jdbc.pool.DataSource" })
	void connectionsReturnedWithChangedSessionAreRetiredAndOpenTransactionsWhereThePoolKeepsThem(String pool) {
		// HikariCP rolls back and restores auto-commit on return; Tomcat JDBC, by default, does neither.
		boolean poolRollsBack = pool.startsWith("com.zaxxer");
		withDatabase("dirty").withPropertyValues("connection.server-timeout-check=off", "spring.datasource.type=" + pool)
			.withBean(RetirementRecorder.class)
			.run((context) -> {
				WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
				DataSource dataSource = context.getBean(DataSource.class);
				JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
				TransactionTemplate transaction = new TransactionTemplate(
						context.getBean(PlatformTransactionManager.class));
				RetirementRecorder retirements = context.getBean(RetirementRecorder.class);
				jdbc.execute("CREATE TABLE items (id INT PRIMARY KEY)");
				boundaries.run("committed", () -> transaction.executeWithoutResult(
						(status) -> jdbc.update("INSERT INTO items VALUES (1)")));
				boundaries.call("session setting changed through JDBC and restored", () -> {
					try (Connection connection = dataSource.getConnection()) {
						connection.setReadOnly(true);
						connection.setReadOnly(false);
					}
					return null;
				});
				assertThat(retirements.reasons()).as("clean units retire nothing").isEmpty();
				boundaries.call("left a transaction open", () -> {
					try (Connection connection = dataSource.getConnection()) {
						connection.setAutoCommit(false);
						connection.createStatement().executeUpdate("INSERT INTO items VALUES (2)");
					}
					return null;
				});
				List<RetirementReason> afterOpenTransaction = poolRollsBack ? List.of()
						: List.of(RetirementReason.DIRTY);
				assertThat(retirements.reasons()).isEqualTo(afterOpenTransaction);
				boundaries.call("left read-only on", () -> {
					try (Connection connection = dataSource.getConnection()) {
						connection.setReadOnly(true);
					}
					return null;
				});
				List<RetirementReason> afterReadOnly = new ArrayList<>(afterOpenTransaction);
				if (!poolRollsBack) {
					afterReadOnly.add(RetirementReason.DIRTY);
				}
				assertThat(retirements.reasons()).isEqualTo(afterReadOnly);
				boundaries.run("set a session variable", () -> jdbc.execute("SET @tenant = 42"));
				List<RetirementReason> afterSet = new ArrayList<>(afterReadOnly);
				afterSet.add(RetirementReason.DIRTY);
				assertThat(retirements.reasons()).isEqualTo(afterSet);
				assertThat(jdbc.queryForObject("SELECT @tenant", Object.class)).as("no session inherits it").isNull();
				assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM items", Integer.class)).isOne();
				try (Connection connection = dataSource.getConnection()) {
					assertThat(connection.getAutoCommit()).isTrue();
					assertThat(connection.isReadOnly()).isFalse();
				}
			});
	}

	@ParameterizedTest
	@EnumSource(names = { "MYSQL_CONNECTOR_J", "MARIADB_CONNECTOR_J" })
	void serverTimeoutCheckFailStopsStartUpNamingTheProperty(JdbcDriver driver) {
		withDatabase("timeout_check", driver).withPropertyValues("connection.server-timeout-check=fail").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasMessageContaining("wait_timeout")
				.hasMessageContaining("connection.server-timeout-check=fail");
		});
	}

	@Test
	void warnsAtStartUpWhenConnectionsHaveNoSocketTimeout(CapturedOutput output) {
		withDatabase("no_socket_timeout").run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("its connections have no socket timeout");
	}

	@Test
	void staysQuietWhenASocketTimeoutIsSet(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=" + EmbeddedMariaDb.createDatabase("socket_timeout")
					+ "&socketTimeout=30000")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).doesNotContain("no socket timeout");
	}

	private static void await(CountDownLatch latch) {
		try {
			assertThat(latch.await(30, TimeUnit.SECONDS)).as("waited for the other thread").isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@ParameterizedTest(name = "{0}, health checks {1}")
	@CsvSource({ "MYSQL_CONNECTOR_J, true", "MYSQL_CONNECTOR_J, false", "MARIADB_CONNECTOR_J, true",
			"MARIADB_CONNECTOR_J, false" })
	void killedSessionsFailAtMostTheUnitThatMeetsThem(JdbcDriver driver, boolean healthChecks) {
		String url = EmbeddedMariaDb.createDatabase("killed", driver);
		this.contextRunner.withPropertyValues("spring.datasource.url=" + url, "connection.health-checks=" + healthChecks)
			.withBean(RetirementRecorder.class)
			.run((context) -> {
				WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
				JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
				List<RetirementReason> retirements = context.getBean(RetirementRecorder.class).reasons();
				boundaries.run("before", () -> jdbc.queryForObject("SELECT 1", Integer.class));
				assertThat(EmbeddedMariaDb.killSessions(url)).isPositive();
				try {
					boundaries.run("first after the kill", () -> jdbc.queryForObject("SELECT 1", Integer.class));
				}
				catch (DataAccessException ex) {
					// Without health checks the unit meets the killed connection, unless the pool
					// validated it first (idle > 500 ms on a slow machine); then its idle siblings
					// are flushed too, when the pool has filled up by then.
					assertThat(healthChecks).as("with health checks no unit fails").isFalse();
					assertThat(retirements).contains(RetirementReason.BROKEN);
				}
				for (int unit = 0; unit < 3; unit++) {
					boundaries.run("after-kill-" + unit, () -> jdbc.queryForObject("SELECT 1", Integer.class));
				}
				if (healthChecks) {
					assertThat(retirements).as("the health check found the killed connection")
						.contains(RetirementReason.BROKEN);
				}
			});
	}

	private static long connectionId(JdbcTemplate jdbc) {
		Long id = jdbc.queryForObject("SELECT CONNECTION_ID()", Long.class);
		assertThat(id).isNotNull();
		return id;
	}

}
