package io.github.connectionlifecycle.faults;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.jdbc.pool.PhysicalConnections;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.testsupport.RestartableMariaDb;
import io.github.connectionlifecycle.testsupport.Sql;
import io.github.connectionlifecycle.testsupport.TcpProxy;
import io.github.connectionlifecycle.testsupport.Units;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs one {@link Fault} against a real server for one pool and starter setup: an
 * application whose units of work each insert a record warms its pool, goes idle, meets
 * the fault, and then runs {@link #UNITS_AFTER_FAULT} units. Owns the restartable server
 * (started on first need) and closes it.
 */
final class FaultRunner implements AutoCloseable {

	static final int UNITS_AFTER_FAULT = 5;

	static final int UNITS_DURING_OUTAGE = 2;

	/** Longer than the shared server's wait_timeout: its idle connections are closed. */
	static final Duration IDLE_GAP = Duration.ofSeconds(EmbeddedMariaDb.WAIT_TIMEOUT_SECONDS + 1);

	/** How long the server is down: longer than the units run in it (each waits up to 6 s for a connection). */
	static final Duration OUTAGE = Duration.ofSeconds(8);

	/** How long a quick restart keeps the server down. */
	static final Duration RESTART_DOWNTIME = Duration.ofSeconds(2);

	/** Longer than the black-hole fault's recommended connection.max-idle of 1 s. */
	static final Duration BLACK_HOLE = Duration.ofSeconds(2);

	/** For faults other than the idle gap, the server must not close idle connections itself. */
	private static final String LONG_SERVER_IDLE_TIMEOUT = "&sessionVariables=wait_timeout=600";

	/**
	 * Bounds every read on a black-holed connection, and the handshake of a connection the
	 * pool opens while the black hole lasts: without it a pool that does not validate waits
	 * for TCP keepalive, hours. Users behind NATs and proxies need it too.
	 */
	static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(3);

	private static final String DRIVER_TIMEOUTS = "&socketTimeout=" + SOCKET_TIMEOUT.toMillis() + "&connectTimeout=2000";

	private static final Pattern LOCAL_PORT = Pattern.compile("//localhost:(\\d+)/");

	private static final AtomicInteger runCounter = new AtomicInteger();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, DataSourceConnectionLifecycleAutoConfiguration.class))
		.withPropertyValues("spring.datasource.username=" + EmbeddedMariaDb.username(),
				"spring.datasource.password=" + EmbeddedMariaDb.password());

	private @Nullable RestartableMariaDb restartable;

	/**
	 * Runs one fault.
	 * @param pool the pool
	 * @param fault the fault
	 * @param starter whether and how the starter is on
	 * @param poolSize how many connections the pool holds
	 * @return what the fault did
	 */
	FaultOutcome run(PoolUnderTest pool, Fault fault, StarterSetup starter, int poolSize) {
		String database = (fault.name() + "_" + pool.name() + "_" + starter.name()).toLowerCase(Locale.ROOT) + "_"
				+ runCounter.incrementAndGet();
		AtomicReference<FaultOutcome> outcome = new AtomicReference<>();
		try (Target target = target(fault, database); PoolWarnings warnings = PoolWarnings.record();
				SessionSampler sessions = new SessionSampler(target.serverUrl())) {
			this.contextRunner.withPropertyValues(pool.properties(poolSize))
				.withPropertyValues(starter.properties(fault))
				.withPropertyValues("spring.datasource.url=" + target.poolUrl())
				.run((context) -> {
					assertThat(context).hasNotFailed();
					Units units = new Units(context);
					JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
					jdbc.execute("CREATE TABLE records (id INT PRIMARY KEY)");
					warmUp(units, context.getBean(DataSource.class), pool.connections(poolSize));
					int outageFailures = inject(fault, target, units, jdbc);
					if (starter != StarterSetup.OFF && fault.isIdle()) {
						// The lifecycle refills a pool 250 ms and a connect after each retirement in the
						// background; a unit inside that window opens its own: not the case under test.
						sessions.awaitOne();
					}
					int failedBefore = units.failures();
					AtomicBoolean firstOpenedConnection = new AtomicBoolean();
					long firstStartedAtMillis = System.currentTimeMillis();
					Duration first = units.timed("first-after-fault",
							() -> firstOpenedConnection.set(insert(jdbc, 1) >= firstStartedAtMillis));
					List<Duration> steady = new ArrayList<>();
					for (int id = 2; id <= UNITS_AFTER_FAULT; id++) {
						int record = id;
						steady.add(units.timed("after-fault-" + id, () -> insert(jdbc, record)));
					}
					sessions.close(); // before the count's own session
					int lost = UNITS_AFTER_FAULT - countRecords(target.serverUrl(), UNITS_AFTER_FAULT);
					outcome.set(new FaultOutcome(units.failures() - failedBefore, lost, warnings.count(),
							warnings.containing(PoolWarnings.HIKARI_VALIDATION_FAILED), first, median(steady),
							firstOpenedConnection.get(), sessions.max(), outageFailures,
							(outageFailures >= 0) ? "outage: " + outageFailures + "/" + UNITS_DURING_OUTAGE + " units failed"
									: ""));
				});
		}
		return outcome.get();
	}

	/** Every connection of the pool open and used once, in one unit, as a busy moment would. */
	private static void warmUp(Units units, DataSource dataSource, int connections) {
		boolean warmed = units.run("warm-up", () -> {
			List<Connection> held = new ArrayList<>();
			try {
				for (int i = 0; i < connections; i++) {
					Connection connection = DataSourceUtils.getConnection(dataSource);
					held.add(connection);
					try (Statement statement = connection.createStatement()) {
						statement.execute("SELECT 1");
					}
				}
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
			finally {
				// Released as JdbcTemplate does: a SingleConnectionDataSource keeps its connection.
				held.forEach((connection) -> DataSourceUtils.releaseConnection(connection, dataSource));
			}
		});
		assertThat(warmed).as("warm-up before the fault").isTrue();
	}

	/**
	 * Brings the fault about while the application is idle.
	 * @return how many units failed during the outage, or -1 for faults without one
	 */
	private int inject(Fault fault, Target target, Units units, JdbcTemplate jdbc) throws InterruptedException {
		switch (fault) {
			case IDLE_GAP -> Thread.sleep(IDLE_GAP.toMillis()); // the idle gap is the scenario
			case KILL -> killEverySession(target);
			case KILL_SHORT_TIMEOUT -> {
				Thread.sleep(Fault.PAUSE.toMillis()); // the pause is the scenario
				killEverySession(target);
			}
			case KILL_THEN_QUIET, KILL_THEN_QUIET_SHORT_TIMEOUT -> {
				killEverySession(target);
				Thread.sleep(Fault.QUIET.toMillis()); // the quiet time is the scenario
			}
			case RESTART_THEN_QUIET -> {
				restartable().stop();
				Thread.sleep(RESTART_DOWNTIME.toMillis()); // the outage is the scenario
				restartable().startAgain();
				Thread.sleep(Fault.QUIET.toMillis());
			}
			case RESTART -> {
				long stoppedAt = System.nanoTime();
				restartable().stop();
				int failed = 0;
				for (int unit = 1; unit <= UNITS_DURING_OUTAGE; unit++) {
					int record = 100 + unit;
					failed += units.run("during-outage-" + unit, () -> insert(jdbc, record)) ? 0 : 1;
				}
				// The outage is the scenario; it lasts as long whatever the units met, so that the
				// pool's reconnect back-off is comparable between runs.
				Thread.sleep(Math.max(0, OUTAGE.toMillis() - Duration.ofNanos(System.nanoTime() - stoppedAt).toMillis()));
				restartable().startAgain();
				return failed;
			}
			case BLACK_HOLE -> {
				TcpProxy proxy = target.proxy();
				proxy.blackHole();
				Thread.sleep(BLACK_HOLE.toMillis()); // the silent outage is the scenario
				proxy.forward();
			}
		}
		return -1;
	}

	private Target target(Fault fault, String database) {
		return switch (fault) {
			case IDLE_GAP -> new Target(EmbeddedMariaDb.createDatabase(database), null);
			case KILL, KILL_THEN_QUIET -> new Target(EmbeddedMariaDb.createDatabase(database) + LONG_SERVER_IDLE_TIMEOUT,
					null);
			case KILL_SHORT_TIMEOUT, KILL_THEN_QUIET_SHORT_TIMEOUT -> new Target(EmbeddedMariaDb.createDatabase(database), null);
			case RESTART, RESTART_THEN_QUIET -> new Target(restartable().createDatabase(database), null);
			case BLACK_HOLE -> {
				String serverUrl = EmbeddedMariaDb.createDatabase(database) + LONG_SERVER_IDLE_TIMEOUT + DRIVER_TIMEOUTS;
				Matcher port = LOCAL_PORT.matcher(serverUrl);
				assertThat(port.find()).as("port in " + serverUrl).isTrue();
				yield new Target(serverUrl, TcpProxy.toLocalPort(Integer.parseInt(port.group(1))));
			}
		};
	}

	private RestartableMariaDb restartable() {
		if (this.restartable == null) {
			this.restartable = RestartableMariaDb.start();
		}
		return this.restartable;
	}

	private static void killEverySession(Target target) {
		await().atMost(Duration.ofSeconds(20)).until(() -> EmbeddedMariaDb.killSessions(target.serverUrl()) == 0);
	}

	/** @return when the driver opened the connection that ran the insert, epoch millis */
	private static long insert(JdbcTemplate jdbc, int id) {
		return jdbc.execute((ConnectionCallback<Long>) (connection) -> {
			try (PreparedStatement insert = connection.prepareStatement("INSERT INTO records (id) VALUES (?)")) {
				insert.setInt(1, id);
				insert.executeUpdate();
			}
			return PhysicalConnections.openedAtMillis(PhysicalConnections.physical(connection));
		});
	}

	private static @Nullable Duration median(List<Duration> durations) {
		return durations.isEmpty() ? null : durations.stream().sorted().toList().get(durations.size() / 2);
	}

	/** Counted outside the pool under test, directly on the server. */
	static int countRecords(String serverUrl, int upToId) {
		try (Connection connection = DriverManager.getConnection(serverUrl, EmbeddedMariaDb.username(),
				EmbeddedMariaDb.password());
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM records WHERE id <= " + upToId)) {
			result.next();
			return result.getInt(1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not count records", ex);
		}
	}

	@Override
	public void close() {
		if (this.restartable != null) {
			this.restartable.close();
		}
	}

	/**
	 * Samples how many sessions the database has, from a session of its own, every few
	 * milliseconds until closed; misses while the server is down.
	 */
	private static final class SessionSampler implements AutoCloseable {

		private static final Duration PERIOD = Duration.ofMillis(20);

		private final String serverUrl;

		private final String database;

		private final AtomicInteger max = new AtomicInteger(-1);

		private final AtomicInteger current = new AtomicInteger(-1);

		private final Thread thread;

		private volatile boolean running = true;

		SessionSampler(String serverUrl) {
			// Connected to no database: a KILL of the database's sessions spares it.
			this.database = serverUrl.substring(serverUrl.lastIndexOf('/') + 1, serverUrl.indexOf('?'));
			this.serverUrl = serverUrl.replace("/" + this.database + "?", "/?");
			this.thread = new Thread(this::sample, "session-sampler");
			this.thread.setDaemon(true);
			this.thread.start();
		}

		private void sample() {
			while (this.running) {
				try (Connection connection = DriverManager.getConnection(this.serverUrl, EmbeddedMariaDb.username(),
						EmbeddedMariaDb.password())) {
					while (this.running) {
						long sessions = Sql.queryLong(connection,
								"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '" + this.database + "'", 1);
						this.current.set((int) sessions);
						this.max.accumulateAndGet((int) sessions, Math::max);
						Thread.sleep(PERIOD.toMillis()); // a sampling period, not a wait for a condition
					}
				}
				catch (SQLException ex) {
					pause(); // the server is down or killed this session: try again
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}

		private static void pause() {
			try {
				Thread.sleep(PERIOD.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		int max() {
			return this.max.get();
		}

		/** Until the application holds a session on the database: its pool holds a connection. */
		void awaitOne() {
			await().atMost(Duration.ofSeconds(5)).until(() -> this.current.get() >= 1);
		}

		@Override
		public void close() {
			this.running = false;
			this.thread.interrupt();
			try {
				this.thread.join(Duration.ofSeconds(10).toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

	/**
	 * Where the pool connects (through the proxy, if any) and where the server really is.
	 */
	private record Target(String serverUrl, @Nullable TcpProxy proxy) implements AutoCloseable {

		String poolUrl() {
			return (this.proxy != null) ? LOCAL_PORT.matcher(this.serverUrl)
				.replaceFirst("//127.0.0.1:" + this.proxy.port() + "/") : this.serverUrl;
		}

		@Override
		public TcpProxy proxy() {
			assertThat(this.proxy).as("a proxy for this fault").isNotNull();
			return this.proxy;
		}

		@Override
		public void close() {
			if (this.proxy != null) {
				this.proxy.close();
			}
		}

	}

}
