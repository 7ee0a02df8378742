package io.github.connectionlifecycle.jdbc.pools;

import java.util.stream.Stream;

import javax.sql.DataSource;

import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.jdbc.pools.PoolScenarios.Pool;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.testsupport.JdbcDriver;
import io.github.connectionlifecycle.testsupport.RetirementRecorder;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static io.github.connectionlifecycle.jdbc.pools.PoolScenarios.HIKARI_VALIDATION_WARNING;
import static io.github.connectionlifecycle.jdbc.pools.PoolScenarios.contextRunner;
import static io.github.connectionlifecycle.jdbc.pools.PoolScenarios.unitsAfterIdleGaps;
import static io.github.connectionlifecycle.jdbc.pools.PoolScenarios.unitsAfterKills;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every supported pool against the two faults of the seed, on a real MariaDB with
 * mysql-connector-j and with MariaDB Connector/J, and on a real PostgreSQL: an idle gap
 * longer than the server's idle timeout (wait_timeout, idle_session_timeout), and a KILL
 * ({@code pg_terminate_backend}) of every pool session between units of work. With the
 * starter no unit fails; switched off, the same scenario fails units (or, for HikariCP,
 * floods the log with validation warnings), which proves the scenario bites.
 */
@ExtendWith(OutputCaptureExtension.class)
class PoolFaultsIntegrationTest {

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("io.github.connectionlifecycle.jdbc.pools.PoolScenarios#everyPoolAndDriver")
	void idleGapsLongerThanTheServersIdleTimeoutFailNoUnit(Pool pool, JdbcDriver driver, CapturedOutput output) {
		// No health checks: the idle pool is flushed when the first unit after the gap starts.
		contextRunner(pool, driver.createDatabase("idle_" + pool)).run((context) -> {
			assertThat(unitsAfterIdleGaps(context, context.getBean(DataSource.class), 1)).isZero();
			assertThat(context.getBean(RetirementRecorder.class).reasons()).contains(RetirementReason.IDLE);
		});
		assertThat(output).doesNotContain(HIKARI_VALIDATION_WARNING);
	}

	// Tomcat with test-on-borrow re-validates a connection idle longer than its 3 s
	// validation-interval, which the gap is: it survives idle gaps without the starter.
	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("everyPoolButValidatingTomcatWithADriverPerServer")
	void withoutTheStarterIdleGapsFailUnitsOrWarn(Pool pool, JdbcDriver driver, CapturedOutput output) {
		contextRunner(pool, driver.createDatabase("idle_off_" + pool))
			.withPropertyValues("connection.enabled=false")
			.run((context) -> {
				int failed = unitsAfterIdleGaps(context, context.getBean(DataSource.class), 1);
				if (pool == Pool.HIKARI) {
					assertThat(output).contains(HIKARI_VALIDATION_WARNING);
				}
				else {
					assertThat(failed).isPositive();
				}
			});
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("io.github.connectionlifecycle.jdbc.pools.PoolScenarios#everyPoolAndDriver")
	void killedSessionsFailNoUnit(Pool pool, JdbcDriver driver) {
		// Health checks on: no pool re-validates a connection it handed out moments ago
		// (HikariCP trusts 500 ms, Tomcat its validation-interval; DBCP2 without
		// test-on-borrow, a single connection and an unknown pool never validate).
		String url = driver.createDatabase("kill_" + pool);
		contextRunner(pool, url).withPropertyValues("connection.health-checks=true").run((context) -> {
			assertThat(unitsAfterKills(context, context.getBean(DataSource.class), url, 3)).isZero();
			assertThat(context.getBean(RetirementRecorder.class).reasons()).contains(RetirementReason.BROKEN);
		});
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("io.github.connectionlifecycle.jdbc.pools.PoolScenarios#everyPoolAndDriver")
	void withoutTheStarterKilledSessionsFailUnits(Pool pool, JdbcDriver driver) {
		String url = driver.createDatabase("kill_off_" + pool);
		contextRunner(pool, url).withPropertyValues("connection.enabled=false")
			.run((context) -> assertThat(unitsAfterKills(context, context.getBean(DataSource.class), url, 1))
				.isPositive());
	}

	/** One driver per server (mysql-connector-j on MariaDB): the proof that the scenario bites. */
	static Stream<Arguments> everyPoolButValidatingTomcatWithADriverPerServer() {
		return PoolScenarios.everyPoolAndDriver()
			.filter((arguments) -> arguments.get()[0] != Pool.TOMCAT_VALIDATING
					&& arguments.get()[1] != JdbcDriver.MARIADB_CONNECTOR_J);
	}

	@Test
	void dbcp2ValidatingEveryBorrowMeetsNoDeadConnectionAfterAnIdleGap() {
		// DBCP2's default test-on-borrow survives the gap on its own, by validating dead
		// connections on the unit's critical path; the starter flushes them before.
		assertThat(borrowValidationFailuresAfterAnIdleGap(true)).isZero();
		assertThat(borrowValidationFailuresAfterAnIdleGap(false)).isPositive();
	}

	private long borrowValidationFailuresAfterAnIdleGap(boolean starter) {
		long[] destroyed = new long[1];
		String url = EmbeddedMariaDb.createDatabase("dbcp2_validating");
		contextRunner().withBean("dataSource", BasicDataSource.class, () -> PoolScenarios.dbcp2(url))
			.withPropertyValues("connection.enabled=" + starter)
			.run((context) -> {
				BasicDataSource dbcp = context.getBean(BasicDataSource.class);
				assertThat(unitsAfterIdleGaps(context, dbcp, 1)).isZero();
				destroyed[0] = dbcp.getConnectionPool().getDestroyedByBorrowValidationCount();
			});
		return destroyed[0];
	}

}
