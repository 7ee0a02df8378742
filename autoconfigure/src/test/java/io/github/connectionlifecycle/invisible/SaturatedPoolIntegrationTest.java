package io.github.connectionlifecycle.invisible;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.testsupport.RestartableMariaDb;
import io.github.connectionlifecycle.testsupport.RetirementRecorder;
import io.github.connectionlifecycle.testsupport.Sql;
import io.github.connectionlifecycle.work.WorkBoundaries;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Issue 7, point 6: a pool that cannot lend is not broken. Failing to obtain a connection
 * (HikariCP's borrow timeout, {@link SQLTransientConnectionException}; the server refusing
 * a new connection, "Too many connections", SQLState 08004, or a user over its
 * MAX_USER_CONNECTIONS) never marks a connection broken and never flushes a pool: no
 * {@code BROKEN} or {@code SIBLING_BROKEN} retirement, and the connections the pool holds
 * stay the same physical sessions.
 * <p>
 * On a MariaDB server of its own: the refusal cases need grant tables (the embedded server
 * starts without them, so every client is privileged and max_connections never refuses
 * it), which this class loads, and they lower max_connections, which must not reach other
 * test classes. Its wait_timeout is the server default (8 h): nothing is retired for
 * idling.
 */
class SaturatedPoolIntegrationTest {

	private static final String APP_USER = "app";

	private static final String APP_PASSWORD = "app-secret";

	private static final String LIMITED_USER = "limited";

	private static final String LIMITED_PASSWORD = "limited-secret";

	/** Bounds every wait on another thread. */
	private static final long WAIT_SECONDS = 30;

	private static final AtomicInteger databaseCounter = new AtomicInteger();

	private static RestartableMariaDb server;

	private static Connection admin;

	private final List<Connection> refusalConnections = new ArrayList<>();

	private final ExecutorService holderThread = Executors.newSingleThreadExecutor();

	@BeforeAll
	static void startServerWithGrantTables() throws SQLException {
		server = RestartableMariaDb.start();
		admin = DriverManager.getConnection(serverUrl(""), "root", "");
		// Loads the grant tables: from now on privileges and connection limits apply.
		execute("FLUSH PRIVILEGES");
		execute("ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('')");
		execute("CREATE USER '" + APP_USER + "'@'localhost' IDENTIFIED BY '" + APP_PASSWORD + "'");
		execute("CREATE USER '" + LIMITED_USER + "'@'localhost' IDENTIFIED BY '" + LIMITED_PASSWORD
				+ "' WITH MAX_USER_CONNECTIONS 1");
	}

	@AfterAll
	static void stopServer() throws SQLException {
		if (admin != null) {
			admin.close();
		}
		if (server != null) {
			server.close();
		}
	}

	@AfterEach
	void cleanUp() throws SQLException {
		endRefusal();
		this.holderThread.shutdownNow();
	}

	/** The server accepts connections again. */
	private void endRefusal() throws SQLException {
		for (Connection connection : this.refusalConnections) {
			connection.close();
		}
		this.refusalConnections.clear();
		execute("SET GLOBAL max_connections = DEFAULT");
	}

	// --- a borrow that times out: HikariCP, max 1, connection-timeout 250 ms ---

	@ParameterizedTest(name = "holder inside a unit: {0}")
	@ValueSource(booleans = { true, false })
	void aUnitThatCannotBorrowFromASaturatedPoolBreaksNothing(boolean holderInUnit) {
		singleConnectionPool().run((context) -> {
			WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
			long pooled = unitConnectionId(boundaries, jdbc);
			Holder holder = hold(context, holderInUnit);
			assertThatExceptionOfType(CannotGetJdbcConnectionException.class)
				.isThrownBy(() -> boundaries.run("starved", () -> jdbc.queryForObject("SELECT 1", Integer.class)))
				.withCauseInstanceOf(SQLTransientConnectionException.class);
			long[] held = holder.release();
			assertThat(held[0]).as("the holder borrowed the pool's connection").isEqualTo(pooled);
			assertThat(held[1]).as("the held connection is the same session after the failed borrow")
				.isEqualTo(held[0]);
			assertNothingRetiredAsBroken(context);
			assertThat(unitConnectionId(boundaries, jdbc)).as("the next unit's connection: not flushed")
				.isEqualTo(pooled);
		});
	}

	@Test
	void aUnitThatRidesOutABorrowTimeoutKeepsThePool() {
		singleConnectionPool().run((context) -> {
			WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
			long pooled = unitConnectionId(boundaries, jdbc);
			Holder holder = hold(context, true);
			long[] retried = new long[1];
			long[][] held = new long[1][];
			boundaries.run("patient", () -> {
				assertThatExceptionOfType(CannotGetJdbcConnectionException.class)
					.isThrownBy(() -> jdbc.queryForObject("SELECT 1", Integer.class))
					.withCauseInstanceOf(SQLTransientConnectionException.class);
				// It backs off until the holder is done, then tries again.
				held[0] = holder.release();
				retried[0] = connectionId(jdbc);
			});
			assertThat(held[0][1]).as("the held connection is the same session after the failed borrow")
				.isEqualTo(held[0][0]);
			assertThat(retried[0]).as("the retry's connection").isEqualTo(pooled);
			assertNothingRetiredAsBroken(context);
			assertThat(unitConnectionId(boundaries, jdbc)).as("the next unit's connection: not flushed")
				.isEqualTo(pooled);
		});
	}

	@Test
	void aUnitStarvedByItsOwnRequiresNewTransactionFailsButKeepsThePool() {
		singleConnectionPool().run((context) -> {
			WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
			PlatformTransactionManager transactionManager = context.getBean(PlatformTransactionManager.class);
			TransactionTemplate outer = new TransactionTemplate(transactionManager);
			TransactionTemplate audit = new TransactionTemplate(transactionManager);
			audit.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
			long pooled = unitConnectionId(boundaries, jdbc);
			// The classic pool starvation: the unit holds the only connection in its
			// transaction and asks for a second one for an audit record.
			assertThatExceptionOfType(CannotCreateTransactionException.class)
				.isThrownBy(() -> boundaries.run("audited", () -> outer.executeWithoutResult((status) -> {
					assertThat(connectionId(jdbc)).isEqualTo(pooled);
					audit.executeWithoutResult((auditStatus) -> jdbc.queryForObject("SELECT 1", Integer.class));
				})))
				.withRootCauseInstanceOf(SQLTransientConnectionException.class);
			assertNothingRetiredAsBroken(context);
			assertThat(unitConnectionId(boundaries, jdbc)).as("the next unit's connection: not flushed")
				.isEqualTo(pooled);
		});
	}

	// --- a borrow the server refuses ---

	enum Refusal {

		/** max_connections reached: a new connection gets "Too many connections" (08004); HikariCP's borrow times out on it. */
		SERVER_FULL_HIKARI,

		/** max_connections reached, and a DataSource that opens a connection per borrow: the refusal itself, 08004. */
		SERVER_FULL_DRIVER,

		/** The pool's user is at its MAX_USER_CONNECTIONS (error 1226); HikariCP's borrow times out on it. */
		USER_LIMIT_HIKARI

	}

	@ParameterizedTest
	@EnumSource(Refusal.class)
	void aBorrowTheServerRefusesRetiresNothingOfTheOtherPool(Refusal refusal) throws SQLException {
		String workingDatabase = database("working");
		String refusedDatabase = database("refused");
		String refusedUser = (refusal == Refusal.USER_LIMIT_HIKARI) ? LIMITED_USER : APP_USER;
		String refusedPassword = (refusal == Refusal.USER_LIMIT_HIKARI) ? LIMITED_PASSWORD : APP_PASSWORD;
		HikariDataSource working = hikari(workingDatabase, APP_USER, APP_PASSWORD, 2, 2);
		HikariDataSource refusedPool = hikari(refusedDatabase, refusedUser, refusedPassword, 2, 0);
		DataSource refused = (refusal == Refusal.SERVER_FULL_DRIVER)
				? new SimpleDriverDataSource(new com.mysql.cj.jdbc.Driver(), serverUrl(refusedDatabase), APP_USER,
						APP_PASSWORD)
				: refusedPool;
		try (working; refusedPool) {
			starter().withBean("working", HikariDataSource.class, () -> working)
				.withBean("refused", DataSource.class, () -> refused)
				.run((context) -> {
					assertThat(context).hasNotFailed();
					WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
					JdbcTemplate workingJdbc = new JdbcTemplate(context.getBean("working", DataSource.class));
					JdbcTemplate refusedJdbc = new JdbcTemplate(context.getBean("refused", DataSource.class));
					boundaries.run("both work", () -> {
						workingJdbc.queryForObject("SELECT 1", Integer.class);
						refusedJdbc.queryForObject("SELECT 1", Integer.class);
					});
					Awaitility.await("the working pool full")
						.atMost(Duration.ofSeconds(WAIT_SECONDS))
						.until(() -> sessionIds(workingDatabase).size() == 2);
					if (refused == refusedPool) {
						// It has to open a connection at the next borrow.
						refusedPool.getHikariPoolMXBean().softEvictConnections();
						Awaitility.await("the refused pool empty")
							.atMost(Duration.ofSeconds(WAIT_SECONDS))
							.until(() -> sessionIds(refusedDatabase).isEmpty());
					}
					refuseNewConnections(refusal, refusedDatabase);
					List<Long> workingSessions = sessionIds(workingDatabase);
					Throwable failure = catchThrowable(() -> boundaries.run("refused", () -> {
						workingJdbc.queryForObject("SELECT 1", Integer.class);
						refusedJdbc.queryForObject("SELECT 1", Integer.class);
					}));
					assertThat(failure).as("the unit failed to borrow from the refused DataSource")
						.isInstanceOf(CannotGetJdbcConnectionException.class);
					if (refusal == Refusal.SERVER_FULL_DRIVER) {
						assertThat(failure).hasCauseInstanceOf(SQLException.class);
						assertThat(((SQLException) failure.getCause()).getSQLState()).isEqualTo("08004");
					}
					else {
						assertThat(failure).hasCauseInstanceOf(SQLTransientConnectionException.class);
					}
					assertNothingRetiredAsBroken(context);
					assertThat(retirements(context)).as("retirements").noneMatch((retired) -> retired.startsWith("working "));
					assertThat(working.getHikariPoolMXBean().getTotalConnections())
						.as("the working pool's connections").isEqualTo(2);
					endRefusal();
					long next = connectionId(boundaries, workingJdbc);
					assertThat(workingSessions).as("the next unit's connection is one the pool had").contains(next);
					assertThat(sessionIds(workingDatabase)).as("the working pool's sessions")
						.containsExactlyInAnyOrderElementsOf(workingSessions);
				});
		}
	}

	/** Makes the server refuse the refused DataSource's next connection, and checks it does. */
	private void refuseNewConnections(Refusal refusal, String refusedDatabase) throws SQLException {
		if (refusal == Refusal.USER_LIMIT_HIKARI) {
			// Another client of that user holds its one connection.
			Awaitility.await("the limited user's one connection")
				.atMost(Duration.ofSeconds(WAIT_SECONDS))
				.until(() -> opened(serverUrl(refusedDatabase), LIMITED_USER, LIMITED_PASSWORD));
			assertRefused(refusedDatabase, LIMITED_USER, LIMITED_PASSWORD, (ex) -> ex.getErrorCode() == 1226);
			return;
		}
		// 10 is the smallest max_connections; other clients fill the rest. The
		// administrator (root) keeps the one extra connection MariaDB reserves for it.
		execute("SET GLOBAL max_connections = 10");
		for (int i = 0; i < 20 && opened(serverUrl(refusedDatabase), APP_USER, APP_PASSWORD); i++) {
			// filled one more
		}
		assertRefused(refusedDatabase, APP_USER, APP_PASSWORD, (ex) -> "08004".equals(ex.getSQLState()));
	}

	private boolean opened(String url, String user, String password) {
		try {
			this.refusalConnections.add(DriverManager.getConnection(url, user, password));
			return true;
		}
		catch (SQLException ex) {
			return false;
		}
	}

	private static void assertRefused(String database, String user, String password, Predicate<SQLException> refusal) {
		SQLException refused = null;
		try (Connection connection = DriverManager.getConnection(serverUrl(database), user, password)) {
			// not refused
		}
		catch (SQLException ex) {
			refused = ex;
		}
		assertThat((Throwable) refused).as("the server refuses a new connection of " + user).isNotNull();
		assertThat(refusal.test(refused)).as("refused as expected: " + refused).isTrue();
	}

	// --- support ---

	/** HikariCP of one connection through Boot's properties, with the starter on its defaults. */
	private ApplicationContextRunner singleConnectionPool() {
		return starter()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + serverUrl(database("saturated")),
					"spring.datasource.username=" + APP_USER, "spring.datasource.password=" + APP_PASSWORD,
					"spring.datasource.type=" + HikariDataSource.class.getName(),
					"spring.datasource.hikari.maximum-pool-size=1", "spring.datasource.hikari.connection-timeout=250");
	}

	private static ApplicationContextRunner starter() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ConnectionLifecycleAutoConfiguration.class,
					DataSourceConnectionLifecycleAutoConfiguration.class))
			.withBean(RetirementRecorder.class);
	}

	/** A connection held by another thread, inside a unit of its own or not, until released. */
	private final class Holder {

		private final CompletableFuture<long[]> ids;

		private final CountDownLatch release;

		Holder(CompletableFuture<long[]> ids, CountDownLatch release) {
			this.ids = ids;
			this.release = release;
		}

		/**
		 * Lets the holder use its connection once more and return it.
		 * @return the connection's id when it was borrowed, and after the release
		 */
		long[] release() {
			this.release.countDown();
			try {
				return this.ids.get(WAIT_SECONDS, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				throw new IllegalStateException("The holder did not finish", ex);
			}
		}

	}

	private Holder hold(AssertableApplicationContext context, boolean inUnit) {
		WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
		DataSource dataSource = context.getBean(DataSource.class);
		CountDownLatch holding = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<long[]> ids = CompletableFuture.supplyAsync(() -> {
			long[] held = new long[2];
			Runnable work = () -> {
				try (Connection connection = dataSource.getConnection()) {
					held[0] = connectionId(connection);
					holding.countDown();
					await(release);
					held[1] = connectionId(connection);
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			};
			if (inUnit) {
				boundaries.run("holder", work);
			}
			else {
				work.run();
			}
			return held;
		}, this.holderThread);
		await(holding);
		return new Holder(ids, release);
	}

	private static void await(CountDownLatch latch) {
		try {
			assertThat(latch.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("waited for the other thread").isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static void assertNothingRetiredAsBroken(AssertableApplicationContext context) {
		assertThat(context.getBean(RetirementRecorder.class).reasons()).as("retirements: %s", retirements(context))
			.doesNotContain(RetirementReason.BROKEN, RetirementReason.SIBLING_BROKEN);
	}

	/** Each retirement event as "DataSource-name REASON". */
	private static List<String> retirements(AssertableApplicationContext context) {
		RetirementRecorder recorder = context.getBean(RetirementRecorder.class);
		List<String> retirements = new ArrayList<>();
		for (int i = 0; i < recorder.reasons().size(); i++) {
			retirements.add(recorder.dataSources().get(i) + " " + recorder.reasons().get(i));
		}
		return retirements;
	}

	private static long unitConnectionId(WorkBoundaries boundaries, JdbcTemplate jdbc) {
		return connectionId(boundaries, jdbc);
	}

	private static long connectionId(WorkBoundaries boundaries, JdbcTemplate jdbc) {
		long[] id = new long[1];
		boundaries.run("connection-id", () -> id[0] = connectionId(jdbc));
		return id[0];
	}

	private static long connectionId(JdbcTemplate jdbc) {
		Long id = jdbc.queryForObject("SELECT CONNECTION_ID()", Long.class);
		assertThat(id).isNotNull();
		return id;
	}

	private static long connectionId(Connection connection) throws SQLException {
		return Sql.queryLong(connection, "SELECT CONNECTION_ID()", 1);
	}

	private static HikariDataSource hikari(String database, String user, String password, int max, int minIdle) {
		HikariDataSource hikari = new HikariDataSource();
		hikari.setPoolName(database);
		hikari.setJdbcUrl(serverUrl(database));
		hikari.setUsername(user);
		hikari.setPassword(password);
		hikari.setMaximumPoolSize(max);
		hikari.setMinimumIdle(minIdle);
		hikari.setConnectionTimeout(250);
		return hikari;
	}

	/** A new database that the application users may use. */
	private static String database(String prefix) {
		String name = prefix + "_" + databaseCounter.incrementAndGet();
		execute("CREATE DATABASE " + name);
		execute("GRANT ALL ON " + name + ".* TO '" + APP_USER + "'@'localhost'");
		execute("GRANT ALL ON " + name + ".* TO '" + LIMITED_USER + "'@'localhost'");
		return name;
	}

	private static String serverUrl(String database) {
		return "jdbc:mysql://localhost:" + server.port() + "/" + database + "?useSSL=false&allowPublicKeyRetrieval=true";
	}

	private static List<Long> sessionIds(String database) throws SQLException {
		return Sql.sessionIds(admin, database);
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
