package io.github.connectionlifecycle.invisible;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

import javax.sql.DataSource;

import com.mysql.cj.jdbc.JdbcConnection;
import com.zaxxer.hikari.HikariDataSource;
import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.testsupport.Units;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.commons.dbcp2.BasicDataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 7, point 4: Boot's and the pool's own tools keep working with the starter. With
 * Actuator's metrics and a {@link SimpleMeterRegistry}, Boot's {@code jdbc.connections.*}
 * gauges and HikariCP's {@code hikaricp.connections.*} meters report the same values with
 * the starter as without it after the same workload (the pool started before the meters
 * are bound, as an application that touches its database at start-up has it; a few units;
 * one connection held while the meters are read, and then released). Injecting the pool's
 * own type, unwrapping the DataSource to it and unwrapping a connection to the driver's
 * {@link JdbcConnection} keep working too.
 * <p>
 * The server's idle timeout is raised for these sessions
 * ({@code sessionVariables=wait_timeout=600}), so no idle retirement changes the pool
 * during the reads. Gauges and counters must be equal. HikariCP's cumulative timers may
 * count the starter's one start-up borrow (it reads the server's wait_timeout) once more;
 * its connection-creation timer is only checked to be there, since how many of the pool's
 * background opens it saw depends on when the meters were bound, starter or not.
 */
class PoolMetricsIntegrationTest {

	private static final int POOL_SIZE = 3;

	enum Pool {

		HIKARI(HikariDataSource.class, (pool) -> ((HikariDataSource) pool).getHikariPoolMXBean().getTotalConnections(),
				"spring.datasource.hikari.maximum-pool-size=" + POOL_SIZE,
				"spring.datasource.hikari.minimum-idle=" + POOL_SIZE, "spring.datasource.hikari.pool-name=metrics"),

		TOMCAT(org.apache.tomcat.jdbc.pool.DataSource.class,
				(pool) -> ((org.apache.tomcat.jdbc.pool.DataSource) pool).getPool().getSize(),
				"spring.datasource.tomcat.initial-size=" + POOL_SIZE, "spring.datasource.tomcat.max-active=" + POOL_SIZE,
				"spring.datasource.tomcat.min-idle=" + POOL_SIZE, "spring.datasource.tomcat.max-idle=" + POOL_SIZE,
				"spring.datasource.tomcat.jmx-enabled=false"),

		DBCP2(BasicDataSource.class, (pool) -> ((BasicDataSource) pool).getNumActive() + ((BasicDataSource) pool).getNumIdle(),
				"spring.datasource.dbcp2.initial-size=" + POOL_SIZE, "spring.datasource.dbcp2.max-total=" + POOL_SIZE,
				"spring.datasource.dbcp2.min-idle=" + POOL_SIZE, "spring.datasource.dbcp2.max-idle=" + POOL_SIZE);

		private final Class<? extends DataSource> type;

		/** The pool's own count of its connections, through its own API. */
		private final ToIntFunction<Object> totalConnections;

		private final String[] properties;

		Pool(Class<? extends DataSource> type, ToIntFunction<Object> totalConnections, String... properties) {
			this.type = type;
			this.totalConnections = totalConnections;
			this.properties = properties;
		}

	}

	@ParameterizedTest
	@EnumSource(Pool.class)
	void bootAndPoolMetersReportTheSameWithTheStarterAsWithout(Pool pool) {
		Map<String, Double> off = meterReadings(pool, false);
		Map<String, Double> on = meterReadings(pool, true);
		// Without the starter Boot binds its gauges (the pool started before binding): the
		// comparison is not between two absent sets.
		assertThat(off).containsEntry("held jdbc.connections.active", 1.0)
			.containsEntry("held jdbc.connections.idle", (double) POOL_SIZE - 1)
			.containsEntry("held jdbc.connections.max", (double) POOL_SIZE)
			.containsEntry("released jdbc.connections.active", 0.0)
			.containsEntry("released jdbc.connections.idle", (double) POOL_SIZE);
		if (pool == Pool.HIKARI) {
			assertThat(off).containsEntry("held hikaricp.connections.active", 1.0)
				.containsEntry("held hikaricp.connections", (double) POOL_SIZE)
				.containsKey("held hikaricp.connections.acquire count");
		}
		assertThat(on).as("Boot's jdbc.connections gauges with the starter: bound, as without it")
			.containsKeys("held jdbc.connections.active", "held jdbc.connections.idle", "held jdbc.connections.max",
					"held jdbc.connections.min");
		assertThat(on.entrySet()).as("meters with the starter: none NaN")
			.noneMatch((reading) -> reading.getValue().isNaN());
		assertThat(on.keySet()).as("the meters bound with the starter (left) and without it")
			.containsExactlyInAnyOrderElementsOf(off.keySet());
		off.forEach((meter, value) -> {
			if (meter.contains(" hikaricp.connections.creation")) {
				// How many of the pool's background opens happened after the meters were
				// bound is a race, with or without the starter: present in both is the check.
				return;
			}
			if (meter.endsWith(" count")) {
				// Cumulative: may count the starter's one start-up borrow once more.
				assertThat(on.get(meter)).as("%s with the starter (without: %s)", meter, value)
					.isBetween(value, value + 1);
			}
			else {
				assertThat(on.get(meter)).as("%s with the starter (without: %s)", meter, value).isEqualTo(value);
			}
		});
	}

	@ParameterizedTest
	@EnumSource(Pool.class)
	void thePoolsOwnTypeIsInjectedAndUnwrappedAndConnectionsUnwrapToTheDriver(Pool pool) {
		boolean unwrapsWithoutTheStarter = unwrapsToThePoolWithoutTheStarter(pool);
		contextRunner(pool, true).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(pool.type);
			DataSource dataSource = context.getBean(DataSource.class);
			awaitPoolFull(context);
			// Injection by the pool's type hands out an object whose own API works.
			assertThat(pool.totalConnections.applyAsInt(context.getBean(pool.type))).isEqualTo(POOL_SIZE);
			// Boot's way to the pool (what its metrics and health use).
			Object reached = DataSourceUnwrapper.unwrap(dataSource, pool.type);
			assertThat(reached).isInstanceOf(pool.type);
			assertThat(pool.totalConnections.applyAsInt(reached)).isEqualTo(POOL_SIZE);
			if (unwrapsWithoutTheStarter) {
				assertThat(dataSource.isWrapperFor(pool.type)).isTrue();
				Object unwrapped = dataSource.unwrap(pool.type);
				assertThat(unwrapped).isInstanceOf(pool.type);
				assertThat(pool.totalConnections.applyAsInt(unwrapped)).isEqualTo(POOL_SIZE);
				try (Connection connection = pool.type.cast(unwrapped).getConnection()) {
					assertThat(connection.isValid(5)).isTrue();
				}
			}
			Units units = new Units(context);
			assertThat(units.run("unwrap", () -> connectionUnwrapsToTheDriver(dataSource))).isTrue();
			connectionUnwrapsToTheDriver(dataSource);
		});
	}

	/**
	 * Without the starter: whether {@code DataSource.unwrap} reaches the pool (Tomcat JDBC's
	 * DataSource unwraps to nothing, not even itself), and connections reach the driver.
	 */
	private boolean unwrapsToThePoolWithoutTheStarter(Pool pool) {
		boolean[] unwraps = new boolean[1];
		contextRunner(pool, false).run((context) -> {
			DataSource dataSource = context.getBean(DataSource.class);
			connectionUnwrapsToTheDriver(dataSource);
			unwraps[0] = dataSource.isWrapperFor(pool.type) && pool.type.isInstance(dataSource.unwrap(pool.type));
		});
		if (pool == Pool.HIKARI || pool == Pool.DBCP2) {
			assertThat(unwraps[0]).as("%s unwraps to itself without the starter", pool).isTrue();
		}
		return unwraps[0];
	}

	private static void connectionUnwrapsToTheDriver(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection()) {
			assertThat(connection.isWrapperFor(JdbcConnection.class)).isTrue();
			JdbcConnection driverConnection = connection.unwrap(JdbcConnection.class);
			assertThat(driverConnection).isNotNull();
			assertThat(driverConnection.getServerVersion()).isNotNull();
			try (Statement statement = connection.createStatement()) {
				statement.execute("SELECT 1");
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Runs the workload and reads every {@code jdbc.connections.*} and
	 * {@code hikaricp.connections.*} meter twice: while one connection is held, and after
	 * it is released.
	 */
	private Map<String, Double> meterReadings(Pool pool, boolean starter) {
		Map<String, Double> readings = new TreeMap<>();
		contextRunner(pool, starter).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(SimpleMeterRegistry.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			DataSource dataSource = context.getBean(DataSource.class);
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
			Units units = new Units(context);
			for (int i = 0; i < 5; i++) {
				assertThat(units.run("unit-" + i, () -> jdbc.queryForObject("SELECT 1", Integer.class))).isTrue();
			}
			awaitPoolFull(context);
			assertThat(units.run("holding", () -> {
				try (Connection held = dataSource.getConnection()) {
					held.createStatement().execute("SELECT 1");
					read(registry, "held", readings);
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			})).isTrue();
			read(registry, "released", readings);
		});
		return readings;
	}

	private static void read(MeterRegistry registry, String moment, Map<String, Double> readings) {
		for (Meter meter : registry.getMeters()) {
			String name = meter.getId().getName();
			if (!name.startsWith("jdbc.connections") && !name.startsWith("hikaricp.connections")) {
				continue;
			}
			String key = moment + " " + name;
			if (meter instanceof Gauge gauge) {
				readings.put(key, gauge.value());
			}
			else if (meter instanceof Timer timer) {
				readings.put(key + " count", (double) timer.count());
			}
			else if (meter instanceof Counter counter) {
				readings.put(key, counter.count());
			}
			else if (meter instanceof FunctionCounter counter) {
				readings.put(key, counter.count());
			}
			else {
				readings.put(key + " " + meter.getId().getType(), 0.0);
			}
		}
	}

	/** Waits until the pool has opened every connection it keeps, and none is in use. */
	private static void awaitPoolFull(AssertableApplicationContext context) {
		String url = context.getEnvironment().getProperty("spring.datasource.url");
		Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.until(() -> EmbeddedMariaDb.sessionIds(url).size() == POOL_SIZE);
	}

	private static ApplicationContextRunner contextRunner(Pool pool, boolean starter) {
		String url = EmbeddedMariaDb.createDatabase("metrics_" + pool.name().toLowerCase() + (starter ? "_on" : "_off"))
				+ "&sessionVariables=wait_timeout=600";
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					JdbcTemplateAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					DataSourcePoolMetricsAutoConfiguration.class, ConnectionLifecycleAutoConfiguration.class,
					DataSourceConnectionLifecycleAutoConfiguration.class))
			.withBean(DatabaseTouchedAtStartUp.class)
			.withPropertyValues("spring.datasource.url=" + url,
					"spring.datasource.username=" + EmbeddedMariaDb.username(),
					"spring.datasource.password=" + EmbeddedMariaDb.password(),
					"spring.datasource.type=" + pool.type.getName(), "management.metrics.use-global-registry=false",
					starter ? "connection.max-age=10m" : "connection.enabled=false")
			.withPropertyValues(pool.properties);
	}

	/**
	 * Touches the database while the application starts, as schema set-up or an ORM does,
	 * so the pool has started when the meters are bound.
	 */
	static class DatabaseTouchedAtStartUp {

		DatabaseTouchedAtStartUp(DataSource dataSource) {
			new JdbcTemplate(dataSource).execute("CREATE TABLE IF NOT EXISTS touched (id INT PRIMARY KEY)");
		}

	}

}
