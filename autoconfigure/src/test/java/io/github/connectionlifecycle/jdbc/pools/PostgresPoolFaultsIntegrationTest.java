package io.github.connectionlifecycle.jdbc.pools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.jdbc.interception.ConnectionLifecycleCleanup;
import io.github.connectionlifecycle.jdbc.interception.ManagedDataSourceInfo;
import io.github.connectionlifecycle.jdbc.pools.PoolScenarios.Pool;
import io.github.connectionlifecycle.testsupport.EmbeddedPostgres;
import io.github.connectionlifecycle.testsupport.RetirementRecorder;
import io.github.connectionlifecycle.testsupport.Units;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static io.github.connectionlifecycle.jdbc.pools.PoolScenarios.contextRunner;
import static io.github.connectionlifecycle.jdbc.pools.PoolScenarios.unitsAfterKills;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What differs on a real PostgreSQL 14, every supported pool ({@link PoolFaultsIntegrationTest}
 * runs the idle gap and the KILL on it too): {@code pg_terminate_backend} without health
 * checks, where pgjdbc's socket is out of the liveness check's sight, {@code max-age: 0},
 * and the idle timeouts read at start-up.
 */
class PostgresPoolFaultsIntegrationTest {

	@ParameterizedTest
	@EnumSource(Pool.class)
	void withoutHealthChecksATerminatedSessionFailsOnlyTheUnitThatMeetsIt(Pool pool) {
		// pgjdbc does not expose its socket, so nothing sees the termination before a
		// statement does: that unit fails with 57P01, and the starter retires the connection
		// and flushes its idle siblings, so the units after it do not fail.
		String url = EmbeddedPostgres.createDatabase("pg_kill_unchecked_" + pool);
		contextRunner(pool, url).run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			Units units = new Units(context);
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			Runnable work = () -> jdbc.queryForObject("SELECT 1", Integer.class);
			assertThat(unitsAfterKills(context, dataSource, url, 1)).isOne();
			for (int unit = 0; unit < 3; unit++) {
				units.run("after-the-failed-unit-" + unit, work);
			}
			assertThat(units.failures()).isZero();
			assertThat(context.getBean(RetirementRecorder.class).reasons()).contains(RetirementReason.BROKEN);
		});
	}

	@ParameterizedTest
	@EnumSource(Pool.class)
	void maxAgeZeroGivesEveryUnitANewSession(Pool pool) {
		contextRunner(pool, EmbeddedPostgres.createDatabase("pg_max_age_" + pool))
			.withPropertyValues("connection.max-age=0")
			.run((context) -> {
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
				Units units = new Units(context);
				List<Integer> backends = new ArrayList<>();
				for (int unit = 0; unit < 4; unit++) {
					units.run("unit-" + unit,
							() -> backends.add(jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class)));
				}
				assertThat(units.failures()).isZero();
				assertThat(backends).as("a new server session for every unit").doesNotHaveDuplicates().hasSize(4);
			});
	}

	@Test
	void readsIdleSessionTimeoutAtStartUpAndShowsIdleInTransactionTimeout() {
		String url = EmbeddedPostgres.createDatabase("pg_timeouts")
				+ "?options=-c%20idle_in_transaction_session_timeout%3D5000";
		contextRunner(Pool.HIKARI, url).run((context) -> {
			ManagedDataSourceInfo info = context.getBean(ConnectionLifecycleCleanup.class)
				.managedDataSources()
				.get(0);
			assertThat(info.getServerIdleTimeout()).isEqualTo(
					Duration.ofSeconds(EmbeddedPostgres.IDLE_SESSION_TIMEOUT_SECONDS));
			assertThat(info.getServerIdleTimeoutSource()).contains("idle_session_timeout")
				.contains("idle_in_transaction_session_timeout PT5S");
			assertThat(info.getIdleLimit()).isLessThan(info.getServerIdleTimeout());
		});
	}

	@Test
	void serverTimeoutCheckFailStopsStartUpNamingIdleSessionTimeout() {
		contextRunner(Pool.HIKARI, EmbeddedPostgres.createDatabase("pg_timeout_check"))
			.withPropertyValues("connection.server-timeout-check=fail")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).hasMessageContaining("(idle_session_timeout)")
					.hasMessageContaining("connection.server-timeout-check=fail");
			});
	}

}
