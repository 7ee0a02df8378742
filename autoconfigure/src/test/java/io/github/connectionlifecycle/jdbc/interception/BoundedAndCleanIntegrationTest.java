package io.github.connectionlifecycle.jdbc.interception;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.jdbc.CleanupPolicy;
import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.jdbc.pool.PoolAdapter;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.work.WorkBoundaries;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationEventPublisher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

/**
 * Issue 7, point 7: memory per unit is bounded, a failed retirement still gives the handle
 * back, the sweep stops before the pools close, scoped targets are skipped, destroyed
 * DataSources are forgotten, and max-age is jittered.
 */
class BoundedAndCleanIntegrationTest {

	private static final String SWEEPER_THREAD = "connection-lifecycle-idle-sweeper";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ConnectionLifecycleAutoConfiguration.class,
				DataSourceConnectionLifecycleAutoConfiguration.class, DataSourceAutoConfiguration.class))
		.withPropertyValues("spring.datasource.username=" + EmbeddedMariaDb.username(),
				"spring.datasource.password=" + EmbeddedMariaDb.password(), "connection.server-timeout-check=off");

	@Test
	void memoryPerUnitIsBoundedWhateverTheNumberOfBorrows() {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=" + EmbeddedMariaDb.createDatabase("bounded"),
					"spring.datasource.hikari.maximum-pool-size=4", "connection.max-age=10m")
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				ConnectionLifecycleCleanup cleanup = context.getBean(ConnectionLifecycleCleanup.class);
				int[] tracked = new int[1];
				context.getBean(WorkBoundaries.class).call("many borrows", () -> {
					for (int borrow = 0; borrow < 100_000; borrow++) {
						try (Connection connection = dataSource.getConnection()) {
							connection.getAutoCommit();
						}
					}
					tracked[0] = cleanup.currentUnit().usedConnectionCount();
					return null;
				});
				assertThat(tracked[0]).as("one entry per physical connection, not per borrow").isBetween(1, 4);
				assertThat(cleanup.dataSources()).singleElement()
					.satisfies((managed) -> assertThat(managed.knownConnections()).isLessThanOrEqualTo(4));
			});
	}

	@Test
	void aRetirementThatFailsStillGivesTheHandleBack() throws SQLException {
		PoolAdapter pool = poolAdapter();
		Connection handle = mock(Connection.class);
		willThrow(new SQLException("pool refused")).given(pool).retireHeld(handle);
		ManagedDataSource dataSource = new ManagedDataSource("failing", mock(DataSource.class), pool,
				new CleanupPolicy(null, null, false, false, false, null, true), mock(ApplicationEventPublisher.class),
				new SweepClock());
		ManagedConnection connection = dataSource.borrowed(handle);
		dataSource.retireHeld(handle, connection, RetirementReason.DIRTY);
		verify(pool).release(handle);
	}

	@Test
	void aConnectionOfAnotherPoolIsRefused() throws SQLException {
		CleanupPolicy policy = new CleanupPolicy(null, null, false, false, false, null, true);
		PoolAdapter poolA = poolAdapter();
		ManagedDataSource a = new ManagedDataSource("a", mock(DataSource.class), poolA, policy,
				mock(ApplicationEventPublisher.class), new SweepClock());
		ManagedDataSource b = new ManagedDataSource("b", mock(DataSource.class), poolAdapter(), policy,
				mock(ApplicationEventPublisher.class), new SweepClock());
		Connection handleOfB = mock(Connection.class);
		ManagedConnection connectionOfB = b.borrowed(handleOfB);
		org.assertj.core.api.Assertions
			.assertThatIllegalArgumentException()
			.isThrownBy(() -> a.retireHeld(handleOfB, connectionOfB, RetirementReason.MAX_AGE))
			.withMessageContaining("'b'");
		verify(poolA, org.mockito.Mockito.never()).retireHeld(handleOfB);
	}

	@Test
	void maxAgeIsJitteredSoAPoolOpenedAtOnceDoesNotExpireAtOnce() {
		Duration maxAge = Duration.ofMinutes(10);
		ManagedDataSource dataSource = new ManagedDataSource("jitter", mock(DataSource.class), poolAdapter(),
				new CleanupPolicy(maxAge, null, false, false, false, null, true), mock(ApplicationEventPublisher.class),
				new SweepClock());
		long openedBefore = System.nanoTime();
		List<ManagedConnection> connections = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			connections.add(dataSource.borrowed(mock(Connection.class)));
		}
		long openedAfter = System.nanoTime();
		Set<Long> retireAt = new HashSet<>();
		for (ManagedConnection connection : connections) {
			long earliest = openedBefore + maxAge.toNanos() - maxAge.toNanos() / 40;
			assertThat(connection.isTooOld(earliest - 1)).isFalse();
			assertThat(connection.isTooOld(openedAfter + maxAge.toNanos())).isTrue();
			retireAt.add(connection.retireAtNanos());
		}
		assertThat(retireAt).as("not all at the same instant").hasSizeGreaterThan(10);
	}

	@Test
	void theSweepStopsBeforeThePoolsCloseAndNeverRunsAfterTheContextCloses() {
		AtomicBoolean sweepRunningWhenPoolClosed = new AtomicBoolean(true);
		String url = EmbeddedMariaDb.createDatabase("sweep_stop");
		Set<Thread> before = new HashSet<>(sweeperThreads());
		Set<Thread> ours = new HashSet<>();
		RecordingHikariDataSource pool = new RecordingHikariDataSource(url, sweepRunningWhenPoolClosed);
		this.contextRunner.withBean("dataSource", DataSource.class, () -> pool).run((context) -> {
				IdleConnectionSweeper sweeper = context.getBean(IdleConnectionSweeper.class);
				pool.sweeper = sweeper;
				assertThat(sweeper.isRunning()).isTrue();
				ours.addAll(sweeperThreads());
				ours.removeAll(before);
				assertThat(ours).as("this context's sweep thread").hasSize(1);
			});
		assertThat(sweepRunningWhenPoolClosed).as("the sweep had stopped when the pool closed").isFalse();
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(ours).as("no sweep thread survives the context").noneMatch(Thread::isAlive));
	}

	@Test
	void scopedTargetsAreLeftAloneAndDestroyedDataSourcesAreForgotten() {
		String url = EmbeddedMariaDb.createDatabase("scoped");
		this.contextRunner.withPropertyValues("spring.datasource.url=" + url)
			.withBean("scopedTarget.reportingDataSource", DataSource.class, () -> hikari(url))
			.run((context) -> {
				assertThat(context.getBean("scopedTarget.reportingDataSource") instanceof ManagedDataSourceProxy).isFalse();
				assertThat(context.getBean("dataSource") instanceof ManagedDataSourceProxy).isTrue();
				ConnectionLifecycleCleanup cleanup = context.getBean(ConnectionLifecycleCleanup.class);
				assertThat(cleanup.dataSources()).extracting(ManagedDataSource::name).containsExactly("dataSource");
				((DefaultListableBeanFactory) context.getSourceApplicationContext().getBeanFactory())
					.destroySingleton("dataSource");
				assertThat(cleanup.dataSources()).isEmpty();
			});
	}

	/** A pool whose handles are their own physical connections. */
	private static PoolAdapter poolAdapter() {
		PoolAdapter pool = mock(PoolAdapter.class);
		given(pool.physicalConnection(any())).willAnswer((invocation) -> invocation.getArgument(0));
		return pool;
	}

	private static HikariDataSource hikari(String url) {
		HikariDataSource hikari = new HikariDataSource();
		hikari.setJdbcUrl(url);
		hikari.setUsername(EmbeddedMariaDb.username());
		hikari.setPassword(EmbeddedMariaDb.password());
		return hikari;
	}

	private static List<Thread> sweeperThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals(SWEEPER_THREAD) && thread.isAlive())
			.toList();
	}

	static class RecordingHikariDataSource extends HikariDataSource {

		private final AtomicBoolean sweepRunningWhenClosed;

		volatile IdleConnectionSweeper sweeper;

		RecordingHikariDataSource(String url, AtomicBoolean sweepRunningWhenClosed) {
			this.sweepRunningWhenClosed = sweepRunningWhenClosed;
			setJdbcUrl(url);
			setUsername(EmbeddedMariaDb.username());
			setPassword(EmbeddedMariaDb.password());
		}

		@Override
		public void close() {
			IdleConnectionSweeper sweeper = this.sweeper;
			this.sweepRunningWhenClosed.set(sweeper == null || sweeper.isRunning());
			super.close();
		}

	}

}
