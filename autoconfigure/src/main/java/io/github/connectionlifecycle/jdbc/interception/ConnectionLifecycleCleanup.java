package io.github.connectionlifecycle.jdbc.interception;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.jdbc.SessionStateSqlDetector;
import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaryListener;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.Ordered;

/**
 * The built-in {@code close_old_connections}. At a unit's first borrow from a pool it
 * flushes the pool if it stayed quiet past the idle limit (in case the background sweep,
 * {@link IdleConnectionSweeper}, fell behind); a stale connection a unit borrows is retired
 * before the unit gets it. At the end of a unit it retires what the unit left broken, dirty
 * or (with {@code max-age: 0}) used, and after a connection-level error flushes the idle
 * siblings. It never closes a connection that is in use. A unit that borrows nothing costs
 * one thread-local write at each end.
 */
public final class ConnectionLifecycleCleanup implements WorkBoundaryListener, SmartInitializingSingleton, Ordered {

	private static final Log logger = LogFactory.getLog(ConnectionLifecycleCleanup.class);

	private final List<ManagedDataSource> dataSources = new CopyOnWriteArrayList<>();

	/** Marks a unit that has not borrowed yet: nothing is allocated for units without JDBC. */
	private static final Object UNIT_WITHOUT_BORROWS = Boolean.TRUE;

	/**
	 * Per thread: {@code null} outside units, else the unit's connections or the marker. A
	 * plain array that stays for the thread's life (see WorkBoundaries).
	 */
	private final ThreadLocal<Object[]> currentUnit = ThreadLocal.withInitial(() -> new Object[1]);

	private final SweepClock clock = new SweepClock();

	private final SessionStateSqlDetector sessionStateSql;

	/**
	 * Creates the cleanup.
	 * @param sessionStateSql tells which SQL leaves a connection dirty
	 */
	public ConnectionLifecycleCleanup(SessionStateSqlDetector sessionStateSql) {
		this.sessionStateSql = sessionStateSql;
	}

	void register(ManagedDataSource dataSource) {
		this.dataSources.add(dataSource);
		if (logger.isInfoEnabled()) {
			logger.info("Connection lifecycle manages DataSource '" + dataSource.name() + "' ("
					+ dataSource.pool().describe() + ")");
		}
	}

	void deregister(ManagedDataSource dataSource) {
		if (this.dataSources.remove(dataSource)) {
			dataSource.close();
			logger.debug("Connection lifecycle no longer manages DataSource '" + dataSource.name() + "'");
		}
	}

	List<ManagedDataSource> dataSources() {
		return this.dataSources;
	}

	/**
	 * The pools under the lifecycle now, in the order they were registered.
	 * @return a read-only view of each
	 */
	public List<ManagedDataSourceInfo> managedDataSources() {
		return this.dataSources.stream().map(ManagedDataSourceInfo::new).toList();
	}

	SweepClock clock() {
		return this.clock;
	}

	SessionStateSqlDetector sessionStateSql() {
		return this.sessionStateSql;
	}

	/**
	 * Reads each DataSource's server idle timeout once, when the application has started,
	 * and reports settings that outlive it.
	 */
	@Override
	public void afterSingletonsInstantiated() {
		for (ManagedDataSource dataSource : this.dataSources) {
			dataSource.readServerIdleTimeout(true);
		}
	}

	@Override
	public void workStarted(UnitOfWork unit) {
		this.currentUnit.get()[0] = UNIT_WITHOUT_BORROWS;
	}

	@Override
	public void workFinished(UnitOfWork unit, @Nullable Throwable failure) {
		Object[] slot = this.currentUnit.get();
		Object state = slot[0];
		slot[0] = null;
		if (!(state instanceof UnitConnections connections)) {
			return;
		}
		for (int i = 0; i < connections.usedConnectionCount(); i++) {
			ManagedConnection connection = connections.usedConnection(i);
			ManagedDataSource dataSource = connection.owner();
			if (dataSource.policy().closesAfterEveryUnit()) {
				dataSource.retireReturned(connection, RetirementReason.MAX_AGE);
			}
		}
		boolean failedOnConnection = failure != null
				&& ConnectionErrors.isConnectionLevel(failure, connections.borrowFailure());
		boolean failedOnReadOnlyServer = failure != null && !failedOnConnection
				&& ConnectionErrors.isReadOnlyServer(failure, connections.borrowFailure());
		for (int i = 0; i < connections.touchedCount(); i++) {
			ManagedDataSource touched = connections.touched(i);
			if (failedOnConnection || connections.sawBrokenConnection(i)
					|| (failedOnReadOnlyServer && touched.policy().retiresOnReadOnlyErrors())) {
				touched.retireIdleSiblingsOfBroken();
			}
		}
	}

	/**
	 * The unit of work open on the current thread, as far as connections are concerned.
	 * @return its connections, or {@code null} outside of a unit
	 */
	@Nullable UnitConnections currentUnit() {
		Object[] slot = this.currentUnit.get();
		Object state = slot[0];
		if (state == UNIT_WITHOUT_BORROWS) {
			UnitConnections connections = new UnitConnections();
			slot[0] = connections;
			return connections;
		}
		return (UnitConnections) state;
	}


	@Override
	public int getOrder() {
		// First when work starts, last when it finishes: cleanup brackets application listeners.
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
