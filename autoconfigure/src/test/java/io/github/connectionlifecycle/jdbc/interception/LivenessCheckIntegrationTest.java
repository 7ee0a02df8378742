package io.github.connectionlifecycle.jdbc.interception;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.testsupport.JdbcDriver;
import io.github.connectionlifecycle.testsupport.RestartableMariaDb;
import io.github.connectionlifecycle.testsupport.RetirementRecorder;
import io.github.connectionlifecycle.testsupport.Sql;
import io.github.connectionlifecycle.testsupport.TcpProxy;
import io.github.connectionlifecycle.testsupport.Units;
import io.github.connectionlifecycle.work.WorkBoundaries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The liveness check costs the database nothing and does not mistake silence for a close:
 * over an idle period the server's statement counter does not move, though the check runs
 * (a KILL at the end is seen), and a black-holed connection, which the operating system
 * still shows open, is not retired by it. With a driver that does not expose its socket
 * (MariaDB Connector/J) it is off, and says so at start-up.
 */
@ExtendWith(OutputCaptureExtension.class)
class LivenessCheckIntegrationTest {

	/** The idle period; {@code -Dliveness.idle-seconds=60} for the idle minute of the README. */
	private static final Duration IDLE = Duration.ofSeconds(Long.getLong("liveness.idle-seconds", 5));

	private static final int POOL_SIZE = 3;

	private static final Duration BUSY = Duration.ofSeconds(3);

	/** The server must not close idle connections itself, nor the idle sweep retire them. */
	private static final String LONG_SERVER_IDLE_TIMEOUT = "&sessionVariables=wait_timeout=600";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, DataSourceConnectionLifecycleAutoConfiguration.class))
		.withBean(RetirementRecorder.class)
		.withPropertyValues("spring.datasource.username=" + EmbeddedMariaDb.username(),
				"spring.datasource.password=" + EmbeddedMariaDb.password(),
				"spring.datasource.hikari.maximum-pool-size=" + POOL_SIZE);

	@Test
	void checksIdleConnectionsWithoutAStatementToTheServer() {
		// A server of its own: no other test's pool adds to its counter.
		try (RestartableMariaDb server = RestartableMariaDb.start()) {
			String url = server.createDatabase("liveness_questions") + LONG_SERVER_IDLE_TIMEOUT;
			this.contextRunner.withPropertyValues("spring.datasource.url=" + url).run((context) -> {
				assertThat(context).hasNotFailed();
				useEveryConnection(context);
				try (Connection admin = java.sql.DriverManager.getConnection(
						"jdbc:mysql://localhost:" + server.port() + "/?useSSL=false&allowPublicKeyRetrieval=true", "root",
						"")) {
					long before = questions(admin);
					Thread.sleep(IDLE.toMillis()); // the idle period is the scenario
					long statements = questions(admin) - before - 1; // the second read counts itself
					System.out.println("Statements from the application over " + IDLE.toSeconds()
							+ " s idle, liveness check every 1 s: " + statements);
					assertThat(statements).isZero();
					assertThat(context.getBean(RetirementRecorder.class).reasons()).isEmpty();
					// The check did run all along: it sees a KILL.
					killEverySession(admin, url);
				}
				await().atMost(Duration.ofSeconds(10))
					.until(() -> context.getBean(RetirementRecorder.class).reasons(),
							(reasons) -> reasons.contains(RetirementReason.CLOSED_BY_SERVER));
			});
		}
	}

	@Test
	void doesNotTakeABlackHoledConnectionForAClosedOne() {
		String serverUrl = EmbeddedMariaDb.createDatabase("liveness_black_hole") + LONG_SERVER_IDLE_TIMEOUT;
		int serverPort = Integer.parseInt(serverUrl.replaceFirst("^jdbc:mysql://localhost:(\\d+)/.*$", "$1"));
		try (TcpProxy proxy = TcpProxy.toLocalPort(serverPort)) {
			String proxiedUrl = serverUrl.replaceFirst("//localhost:\\d+/", "//127.0.0.1:" + proxy.port() + "/");
			this.contextRunner.withPropertyValues("spring.datasource.url=" + proxiedUrl).run((context) -> {
				assertThat(context).hasNotFailed();
				useEveryConnection(context);
				proxy.blackHole();
				Thread.sleep(3000); // three checks into the silent outage: the outage is the scenario
				assertThat(context.getBean(RetirementRecorder.class).reasons()).isEmpty();
				proxy.forward();
			});
		}
	}

	/**
	 * Connections go in and out of use between the check's collection of idle ports and its
	 * look-up: one borrowed meanwhile is never taken for a closed one.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "com.zaxxer.hikari.HikariDataSource", "org.apache.tomcat.jdbc.pool.DataSource" })
	void aBusyPoolIsNeverTakenForAClosedOne(String poolType) {
		String url = EmbeddedMariaDb.createDatabase("liveness_busy") + LONG_SERVER_IDLE_TIMEOUT;
		this.contextRunner
			.withPropertyValues("spring.datasource.url=" + url, "spring.datasource.type=" + poolType,
					"connection.liveness-check-interval=100ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				DataSource dataSource = context.getBean(DataSource.class);
				WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
				long until = System.nanoTime() + BUSY.toNanos();
				Runnable worker = () -> {
					while (System.nanoTime() - until < 0) {
						boundaries.run("busy", () -> selectOne(dataSource));
						// Connections flip between idle and in use within each check.
						LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(TimeUnit.MILLISECONDS.toNanos(2)));
					}
				};
				Thread other = new Thread(worker);
				other.start();
				worker.run();
				other.join(Duration.ofSeconds(30).toMillis());
				assertThat(context.getBean(RetirementRecorder.class).reasons())
					.doesNotContain(RetirementReason.CLOSED_BY_SERVER, RetirementReason.SIBLING_BROKEN);
			});
	}

	/** Tomcat JDBC closes idle connections above its minimum itself; the server did not. */
	@Test
	void connectionsThePoolClosesItselfAreNotTakenForClosedByTheServer() {
		String url = EmbeddedMariaDb.createDatabase("liveness_shrink") + LONG_SERVER_IDLE_TIMEOUT;
		this.contextRunner
			.withPropertyValues("spring.datasource.url=" + url,
					"spring.datasource.type=org.apache.tomcat.jdbc.pool.DataSource",
					"spring.datasource.tomcat.initial-size=1", "spring.datasource.tomcat.min-idle=1",
					"spring.datasource.tomcat.max-active=" + POOL_SIZE,
					"spring.datasource.tomcat.min-evictable-idle-time-millis=300",
					"spring.datasource.tomcat.time-between-eviction-runs-millis=100",
					// Checks while the connections are still open, and after the pool closed them.
					"connection.liveness-check-interval=100ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				useEveryConnection(context);
				org.apache.tomcat.jdbc.pool.DataSource tomcat = context
					.getBean(org.apache.tomcat.jdbc.pool.DataSource.class);
				await().atMost(Duration.ofSeconds(10)).until(() -> tomcat.getPool().getSize() == 1);
				Thread.sleep(1500); // liveness checks after the shrink: the quiet time is the scenario
				assertThat(context.getBean(RetirementRecorder.class).reasons()).isEmpty();
			});
	}

	private static void selectOne(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection()) {
			Sql.queryLong(connection, "SELECT 1", 1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void saysAtStartUpThatItIsOffForADriverThatHidesItsSocket(CapturedOutput output) {
		String url = EmbeddedMariaDb.createDatabase("liveness_mariadb_cj", JdbcDriver.MARIADB_CONNECTOR_J);
		this.contextRunner.withPropertyValues("spring.datasource.url=" + url)
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("connections the server closes are found only when used, because the JDBC "
				+ "driver does not expose its socket")
			.contains("the liveness check is off for it");
	}

	/** Every connection of the pool borrowed in one unit, so the lifecycle knows them all. */
	private static void useEveryConnection(AssertableApplicationContext context) {
		Units.useConnectionsAtOnce(context, context.getBean(DataSource.class), POOL_SIZE);
	}

	private static long questions(Connection admin) throws SQLException {
		return Sql.queryLong(admin, "SHOW GLOBAL STATUS LIKE 'Questions'", 2);
	}

	private static void killEverySession(Connection admin, String url) throws SQLException {
		String database = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
		for (long id : Sql.sessionIds(admin, database)) {
			try (var statement = admin.createStatement()) {
				statement.execute("KILL " + id);
			}
		}
	}

}
