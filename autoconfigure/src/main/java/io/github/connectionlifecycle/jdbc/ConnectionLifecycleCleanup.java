package io.github.connectionlifecycle.jdbc;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.github.connectionlifecycle.work.WorkBoundaryListener;
import io.github.connectionlifecycle.work.WorkFinishedEvent;
import io.github.connectionlifecycle.work.WorkStartedEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.Ordered;

/**
 * The built-in {@code close_old_connections}. In the background it retires idle connections
 * a little before their idle limit (the server's wait_timeout or {@code connection.max-idle})
 * and those past {@code connection.max-age}, so that after an idle gap the pool has already
 * replaced them. At the start of a unit it flushes a pool that stayed quiet past the idle
 * limit anyway; a stale connection a unit borrows is retired before the unit gets it (see
 * {@link ConnectionBorrowInterceptor}). At the end of a unit it retires what the unit left
 * broken, dirty or (with {@code max-age: 0}) used, and after a connection-level error
 * flushes the idle siblings. It never closes a connection that is in use.
 */
public final class ConnectionLifecycleCleanup
		implements WorkBoundaryListener, SmartInitializingSingleton, DisposableBean, Ordered {

	private static final Log logger = LogFactory.getLog(ConnectionLifecycleCleanup.class);

	private static final long MIN_SWEEP_INTERVAL_MILLIS = 100;

	private static final long MAX_SWEEP_INTERVAL_MILLIS = 10_000;

	private final List<TrackedDataSource> dataSources = new CopyOnWriteArrayList<>();

	private final ThreadLocal<UnitConnections> currentUnit = new ThreadLocal<>();

	private final ScheduledExecutorService idleSweeper = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "connection-lifecycle-idle-sweeper");
		thread.setDaemon(true);
		return thread;
	});

	void register(TrackedDataSource dataSource) {
		this.dataSources.add(dataSource);
		if (logger.isInfoEnabled()) {
			logger.info("Connection lifecycle manages DataSource '" + dataSource.beanName() + "' ("
					+ dataSource.pool().describe() + ")");
		}
	}

	/**
	 * Reads each DataSource's server idle timeout once, when the application has started,
	 * and reports settings that outlive it.
	 */
	@Override
	public void afterSingletonsInstantiated() {
		for (TrackedDataSource dataSource : this.dataSources) {
			dataSource.readServerIdleTimeout(true);
		}
		if (!this.dataSources.isEmpty()) {
			scheduleIdleSweep();
		}
	}

	/**
	 * Retires idle connections shortly before their idle limit while the application idles,
	 * so the pool replaces them in the background instead of on the next unit's critical path.
	 */
	private void scheduleIdleSweep() {
		try {
			this.idleSweeper.schedule(this::sweepIdleConnections, sweepIntervalMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// shut down with the application context
		}
	}

	private void sweepIdleConnections() {
		try {
			for (TrackedDataSource dataSource : this.dataSources) {
				dataSource.retireIdleConnectionsAhead();
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Retiring idle connections in the background failed; trying again later", ex);
		}
		finally {
			scheduleIdleSweep();
		}
	}

	private long sweepIntervalMillis() {
		long shortestLimitNanos = this.dataSources.stream()
			.mapToLong(TrackedDataSource::idleLimitNanos)
			.min()
			.orElse(Long.MAX_VALUE);
		long interval = TimeUnit.NANOSECONDS.toMillis(shortestLimitNanos) / 8;
		return Math.max(MIN_SWEEP_INTERVAL_MILLIS, Math.min(MAX_SWEEP_INTERVAL_MILLIS, interval));
	}

	@Override
	public void destroy() {
		this.idleSweeper.shutdownNow();
	}

	@Override
	public void workStarted(WorkStartedEvent event) {
		this.currentUnit.set(new UnitConnections());
		for (TrackedDataSource dataSource : this.dataSources) {
			dataSource.flushIfQuietPastIdleLimit();
		}
	}

	@Override
	public void workFinished(WorkFinishedEvent event) {
		UnitConnections unit = this.currentUnit.get();
		this.currentUnit.remove();
		if (unit == null) {
			return;
		}
		boolean failedOnConnection = ConnectionErrors.isConnectionLevel(event.getFailure());
		for (UnitConnections.Borrow borrow : unit.borrows()) {
			if (borrow.dataSource().policy().closesAfterEveryUnit()) {
				borrow.dataSource().retireReturned(borrow.connection(), borrow.handle(), RetirementReason.MAX_AGE);
			}
		}
		for (TrackedDataSource dataSource : unit.touched()) {
			if (unit.sawBrokenConnection(dataSource) || failedOnConnection) {
				dataSource.retireIdleSiblingsOfBroken();
			}
		}
	}

	/**
	 * The unit of work open on the current thread, as far as connections are concerned.
	 * @return its connections, or {@code null} outside of a unit
	 */
	@Nullable UnitConnections currentUnit() {
		return this.currentUnit.get();
	}

	@Override
	public int getOrder() {
		// First when work starts, last when it finishes: cleanup brackets application listeners.
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
