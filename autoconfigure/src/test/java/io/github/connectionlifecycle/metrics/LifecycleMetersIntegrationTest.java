package io.github.connectionlifecycle.metrics;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleMetricsAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.testsupport.Units;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The meters move as real units of work retire real connections of a HikariCP pool on the
 * embedded MariaDB ({@code wait_timeout=2}), read from a {@link SimpleMeterRegistry} as a
 * dashboard would: units by outcome, retirements by reason with the ages of the retired
 * connections, the server's idle timeout and the limits in force, the background sweep.
 */
class LifecycleMetersIntegrationTest {

	private static final String POOL = "dataSource";

	@Test
	void metersFollowUnitsRetirementsAndTheSweep() {
		String url = EmbeddedMariaDb.createDatabase("meters");
		contextRunner(url).run((context) -> {
			assertThat(context).hasNotFailed();
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			DataSource dataSource = context.getBean(DataSource.class);
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
			Units units = new Units(context);

			assertThat(gauge(registry, "connection.lifecycle.server.idle.timeout"))
				.isEqualTo(EmbeddedMariaDb.WAIT_TIMEOUT_SECONDS);
			// The server's 2 s less the lifecycle's margin of at least 1 s.
			assertThat(gauge(registry, "connection.lifecycle.idle.limit")).isEqualTo(1.0);
			assertThat(gauge(registry, "connection.lifecycle.max.age")).isEqualTo(600.0);

			assertThat(units.run("dirty", () -> jdbc.execute("SET SESSION sql_mode = 'ANSI'"))).isTrue();
			assertThat(retirements(registry, RetirementReason.DIRTY)).isEqualTo(1);
			assertThat(retiredAgeCount(registry, RetirementReason.DIRTY)).isEqualTo(1);

			assertThat(units.run("fails", () -> {
				throw new IllegalStateException("the unit's own failure");
			})).isFalse();
			assertThat(units.run("broken", () -> killOwnSessionAndQuery(dataSource))).isFalse();
			assertThat(retirements(registry, RetirementReason.BROKEN)).isEqualTo(1);
			assertThat(registry.get("connection.lifecycle.retired.connection.age")
				.tags("datasource", POOL, "reason", "BROKEN")
				.timer()
				.totalTime(TimeUnit.NANOSECONDS)).isPositive();
			assertThat(units(registry, "SUCCESS")).isEqualTo(1);
			assertThat(units(registry, "FAILURE")).isEqualTo(2);

			assertThat(units.run("borrows", () -> jdbc.queryForObject("SELECT 1", Integer.class))).isTrue();
			assertThat(gauge(registry, "connection.lifecycle.connections.tracked")).isPositive();
			// Quiet past three quarters of the idle limit: the sweep retires the idle connections.
			Awaitility.await()
				.atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(retirements(registry, RetirementReason.IDLE)).isPositive());
			assertThat(registry.get("connection.lifecycle.sweep").functionTimer().count()).isPositive();
			assertThat(registry.get("connection.lifecycle.sweep.lateness").gauge().value()).isNotNegative();
			assertThat(retirements(registry, RetirementReason.MAX_AGE)).isZero();
			assertThat(registry.get("connection.lifecycle.listener.failures").functionCounter().count()).isZero();
		});
	}

	private static void killOwnSessionAndQuery(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			long sessionId;
			try (ResultSet result = statement.executeQuery("SELECT CONNECTION_ID()")) {
				result.next();
				sessionId = result.getLong(1);
			}
			EmbeddedMariaDb.execute("KILL " + sessionId);
			statement.execute("SELECT 1");
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static double gauge(MeterRegistry registry, String name) {
		return registry.get(name).tag("datasource", POOL).gauge().value();
	}

	private static double retirements(MeterRegistry registry, RetirementReason reason) {
		return registry.get("connection.lifecycle.retirements")
			.tags("datasource", POOL, "reason", reason.name())
			.functionCounter()
			.count();
	}

	private static long retiredAgeCount(MeterRegistry registry, RetirementReason reason) {
		return registry.get("connection.lifecycle.retired.connection.age")
			.tags("datasource", POOL, "reason", reason.name())
			.timer()
			.count();
	}

	private static double units(MeterRegistry registry, String outcome) {
		return registry.get("connection.lifecycle.units")
			.tags("kind", "PROGRAMMATIC", "outcome", outcome)
			.functionCounter()
			.count();
	}

	private static ApplicationContextRunner contextRunner(String url) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					JdbcTemplateAutoConfiguration.class, MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
					ConnectionLifecycleAutoConfiguration.class, DataSourceConnectionLifecycleAutoConfiguration.class,
					ConnectionLifecycleMetricsAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + url,
					"spring.datasource.username=" + EmbeddedMariaDb.username(),
					"spring.datasource.password=" + EmbeddedMariaDb.password(),
					"spring.datasource.hikari.maximum-pool-size=2", "management.metrics.use-global-registry=false",
					"connection.max-age=10m");
	}

}
