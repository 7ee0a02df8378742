package io.github.connectionlifecycle.jdbc.pools;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.testsupport.EmbeddedPostgres;
import io.github.connectionlifecycle.testsupport.JdbcDriver;
import io.github.connectionlifecycle.testsupport.RetirementRecorder;
import io.github.connectionlifecycle.testsupport.Units;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.params.provider.Arguments;

import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test kit for the pool tests: a DataSource of each kind for each {@link JdbcDriver}, on
 * the embedded MariaDB (wait_timeout 2 s) or the embedded PostgreSQL (idle_session_timeout
 * 2 s), units of work that count their failures, and the two faults: an idle gap longer
 * than the server's idle timeout, and a KILL of every session of the pool.
 */
final class PoolScenarios {

	static final String HIKARI_VALIDATION_WARNING = "Failed to validate connection";

	private static final long IDLE_GAP_MILLIS = (Math.max(EmbeddedMariaDb.WAIT_TIMEOUT_SECONDS,
			EmbeddedPostgres.IDLE_SESSION_TIMEOUT_SECONDS) + 1) * 1000L;

	private PoolScenarios() {
	}

	/** The pools under test, each with its own defaults unless said otherwise. */
	enum Pool {

		HIKARI((url) -> {
			HikariDataSource hikari = new HikariDataSource();
			hikari.setJdbcUrl(url);
			hikari.setUsername(JdbcDriver.of(url).username());
			hikari.setPassword(JdbcDriver.of(url).password());
			hikari.setMaximumPoolSize(4);
			return hikari;
		}),

		/** Tomcat JDBC as constructed: no validation on borrow. */
		TOMCAT((url) -> tomcat(url, false)),

		/** Tomcat JDBC as Spring Boot configures it: validation on borrow, but trusting a connection for 3 s. */
		TOMCAT_VALIDATING((url) -> tomcat(url, true)),

		/** Commons DBCP2 with validation on borrow switched off (it saves a round trip per borrow). */
		DBCP2((url) -> {
			BasicDataSource dbcp = dbcp2(url);
			dbcp.setTestOnBorrow(false);
			return dbcp;
		}),

		/** One shared connection, handed out as is (suppressClose=false), as JdbcTemplate expects. */
		SINGLE_CONNECTION((url) -> new SingleConnectionDataSource(url, JdbcDriver.of(url).username(),
				JdbcDriver.of(url).password(), false)),

		/** A pool the starter has no adapter for. */
		UNKNOWN(UnknownPool::new);

		private final Function<String, DataSource> factory;

		Pool(Function<String, DataSource> factory) {
			this.factory = factory;
		}

		DataSource create(String url) {
			return this.factory.apply(url);
		}

	}

	/** @return every pool with every driver, each on its embedded server, for parameterized tests */
	static Stream<Arguments> everyPoolAndDriver() {
		return Arrays.stream(Pool.values())
			.flatMap((pool) -> Arrays.stream(JdbcDriver.values()).map((driver) -> Arguments.of(pool, driver)));
	}

	static org.apache.tomcat.jdbc.pool.DataSource tomcat(String url, boolean testOnBorrow) {
		org.apache.tomcat.jdbc.pool.DataSource tomcat = new org.apache.tomcat.jdbc.pool.DataSource();
		tomcat.setUrl(url);
		tomcat.setDriverClassName(JdbcDriver.of(url).driverClassName());
		tomcat.setUsername(JdbcDriver.of(url).username());
		tomcat.setPassword(JdbcDriver.of(url).password());
		tomcat.setInitialSize(1);
		tomcat.setMinIdle(1);
		tomcat.setMaxIdle(4);
		tomcat.setMaxActive(4);
		tomcat.setJmxEnabled(false);
		if (testOnBorrow) {
			tomcat.setTestOnBorrow(true);
			tomcat.setValidationQuery("/* ping */ SELECT 1");
		}
		return tomcat;
	}

	static BasicDataSource dbcp2(String url) {
		BasicDataSource dbcp = new BasicDataSource();
		dbcp.setUrl(url);
		dbcp.setUsername(JdbcDriver.of(url).username());
		dbcp.setPassword(JdbcDriver.of(url).password());
		dbcp.setMaxTotal(4);
		return dbcp;
	}

	/**
	 * The lifecycle's auto-configuration and a {@link RetirementRecorder}; add the
	 * DataSource beans.
	 */
	static ApplicationContextRunner contextRunner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ConnectionLifecycleAutoConfiguration.class,
					DataSourceConnectionLifecycleAutoConfiguration.class))
			.withBean(RetirementRecorder.class);
	}

	static ApplicationContextRunner contextRunner(Pool pool, String url) {
		// Closed with the context, also Tomcat's pool, which is not AutoCloseable.
		return contextRunner().withBean("dataSource", DataSource.class, () -> pool.create(url),
				(definition) -> definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD));
	}

	/**
	 * A warm-up unit, then each unit after an idle gap longer than the server's idle timeout.
	 * @return how many units failed
	 */
	static int unitsAfterIdleGaps(AssertableApplicationContext context, DataSource dataSource, int gaps)
			throws InterruptedException {
		Units units = new Units(context);
		Runnable work = selectOne(dataSource);
		units.run("warm-up", work);
		for (int gap = 0; gap < gaps; gap++) {
			Thread.sleep(IDLE_GAP_MILLIS); // the idle gap is the scenario: the server closes idle connections
			units.run("after-gap-" + gap, work);
		}
		return units.failures();
	}

	/**
	 * A warm-up unit, then each unit right after every session of the database was killed.
	 * @return how many units failed
	 */
	static int unitsAfterKills(AssertableApplicationContext context, DataSource dataSource, String url, int kills) {
		Units units = new Units(context);
		Runnable work = selectOne(dataSource);
		assertThat(units.run("warm-up", work)).as("warm-up").isTrue();
		for (int kill = 0; kill < kills; kill++) {
			assertThat(JdbcDriver.of(url).killSessions(url)).as("sessions killed").isPositive();
			units.run("after-kill-" + kill, work);
		}
		return units.failures();
	}

	/** @return a unit's work: a query on the database */
	private static Runnable selectOne(DataSource dataSource) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		return () -> jdbc.queryForObject("SELECT 1", Integer.class);
	}

}
