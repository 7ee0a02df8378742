package io.github.connectionlifecycle.jdbc.interception;

import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Retires idle connections shortly before their idle limit (the server's wait_timeout or
 * {@code connection.max-idle}) and those past {@code connection.max-age}, while the
 * application idles, so that the pool replaces them in the background instead of on the
 * next unit's critical path. On its own, shorter interval it retires idle connections that
 * the server (or a proxy) has closed, as the operating system sees their sockets, without a
 * statement (see {@link KernelTcpTable}). Pools that open connections only for borrowers are
 * refilled after it retired some, on a thread of their own. It runs while the application context runs: it
 * starts with the context and stops, waiting for a run in progress, before the pools are
 * closed, so it never touches a closed pool.
 */
public final class IdleConnectionSweeper implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(IdleConnectionSweeper.class);

	private static final long MIN_INTERVAL_MILLIS = 100;

	private static final long MAX_INTERVAL_MILLIS = 10_000;

	private static final long STOP_TIMEOUT_SECONDS = 10;

	/** How soon a pool the lifecycle retired from is refilled, when there is no liveness check. */
	private static final long DEFAULT_REFILL_INTERVAL_MILLIS = 1000;

	private final ConnectionLifecycleCleanup cleanup;

	private final @Nullable Duration livenessCheckInterval;

	/** Local ports of the idle sockets to look up; reused by every liveness check. */
	private final BitSet idleSocketPorts = new BitSet(65536);

	private final Object monitor = new Object();

	private @Nullable ScheduledExecutorService executor;

	private final SweepStatistics statistics = new SweepStatistics();

	/** Opens connections for pools that do not do it themselves; may block while connecting. */
	private @Nullable ScheduledExecutorService refillExecutor;

	private final AtomicBoolean refillQueued = new AtomicBoolean();

	/**
	 * Creates a sweeper of the DataSources the cleanup manages.
	 * @param cleanup the cleanup
	 * @param livenessCheckInterval how often to check idle sockets, or {@code null} for never
	 */
	public IdleConnectionSweeper(ConnectionLifecycleCleanup cleanup, @Nullable Duration livenessCheckInterval) {
		this.cleanup = cleanup;
		this.livenessCheckInterval = livenessCheckInterval;
	}

	/**
	 * What the sweep has done since start-up.
	 * @return the statistics, updated after every run
	 */
	public SweepStatistics getStatistics() {
		return this.statistics;
	}

	@Override
	public void start() {
		synchronized (this.monitor) {
			if (this.executor != null) {
				return;
			}
			this.executor = Executors.newSingleThreadScheduledExecutor((task) -> daemon(task, "idle-sweeper"));
			this.refillExecutor = Executors.newSingleThreadScheduledExecutor((task) -> daemon(task, "refill"));
			this.cleanup.clock().advance();
			schedule(this.executor);
			long interval = (this.livenessCheckInterval != null) ? this.livenessCheckInterval.toMillis()
					: DEFAULT_REFILL_INTERVAL_MILLIS;
			this.executor.scheduleWithFixedDelay(this::checkLivenessAndRefill, interval, interval, TimeUnit.MILLISECONDS);
		}
	}

	private static Thread daemon(Runnable task, String name) {
		Thread thread = new Thread(task, "connection-lifecycle-" + name);
		thread.setDaemon(true);
		return thread;
	}

	@Override
	public void stop() {
		ScheduledExecutorService executor;
		ScheduledExecutorService refillExecutor;
		synchronized (this.monitor) {
			executor = this.executor;
			refillExecutor = this.refillExecutor;
			this.executor = null;
			this.refillExecutor = null;
		}
		if (executor == null || refillExecutor == null) {
			return;
		}
		executor.shutdownNow();
		refillExecutor.shutdownNow();
		try {
			if (!executor.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)
					|| !refillExecutor.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				logger.warn("The idle connection sweep did not stop within " + STOP_TIMEOUT_SECONDS + " s");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			this.cleanup.clock().stopped();
		}
	}

	@Override
	public boolean isRunning() {
		synchronized (this.monitor) {
			return this.executor != null;
		}
	}

	/**
	 * Stops early, before the phases of Kafka containers and schedulers.
	 * @return the phase
	 */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE;
	}

	private void schedule(ScheduledExecutorService executor) {
		try {
			long interval = intervalMillis();
			long dueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(interval);
			executor.schedule(() -> sweep(executor, dueNanos), interval, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// stopped
		}
	}

	private void sweep(ScheduledExecutorService executor, long dueNanos) {
		Instant start = Instant.now();
		long startNanos = System.nanoTime();
		try {
			this.cleanup.clock().advance();
			for (ManagedDataSource dataSource : this.cleanup.dataSources()) {
				if (Thread.currentThread().isInterrupted()) {
					return;
				}
				dataSource.sweep();
			}
			queueRefill();
		}
		catch (RuntimeException ex) {
			logger.warn("Retiring idle connections in the background failed; trying again later", ex);
		}
		finally {
			long endNanos = System.nanoTime();
			this.statistics.recorded(start, endNanos - startNanos, Math.max(0, startNanos - dueNanos));
			schedule(executor);
		}
	}

	/** At most one refill run queued: pools retired from since get theirs in it. */
	private void queueRefill() {
		ScheduledExecutorService refillExecutor = this.refillExecutor;
		if (refillExecutor == null || !this.cleanup.dataSources().stream().anyMatch(ManagedDataSource::wantsRefill)
				|| !this.refillQueued.compareAndSet(false, true)) {
			return;
		}
		try {
			refillExecutor.schedule(this::refill, ManagedDataSource.REFILL_DELAY_MILLIS, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			this.refillQueued.set(false); // stopped
		}
	}

	private void refill() {
		this.refillQueued.set(false);
		for (ManagedDataSource dataSource : this.cleanup.dataSources()) {
			if (Thread.currentThread().isInterrupted()) {
				return;
			}
			dataSource.refill();
		}
	}

	/** Same thread as the sweep; a connection both would retire is claimed by one of them. */
	private void checkLivenessAndRefill() {
		try {
			this.idleSocketPorts.clear();
			if (this.livenessCheckInterval != null) {
				for (ManagedDataSource dataSource : this.cleanup.dataSources()) {
					dataSource.addIdleSocketPorts(this.idleSocketPorts);
				}
			}
			if (!this.idleSocketPorts.isEmpty()) {
				KernelTcpTable.Snapshot sockets = KernelTcpTable.SYSTEM.read(this.idleSocketPorts::get);
				for (ManagedDataSource dataSource : this.cleanup.dataSources()) {
					dataSource.retireClosedByServer(sockets);
				}
			}
			// Also what units retired since the last run: the liveness interval is the shorter.
			queueRefill();
		}
		catch (RuntimeException | LinkageError ex) {
			// A periodic task that throws is never run again.
			logger.warn("Checking idle connections for a close by the server failed; trying again later", ex);
		}
	}

	private long intervalMillis() {
		long shortestLimitNanos = Long.MAX_VALUE;
		for (ManagedDataSource dataSource : this.cleanup.dataSources()) {
			shortestLimitNanos = Math.min(shortestLimitNanos, dataSource.idleLimitNanos());
		}
		long interval = TimeUnit.NANOSECONDS.toMillis(shortestLimitNanos) / 8;
		return Math.max(MIN_INTERVAL_MILLIS, Math.min(MAX_INTERVAL_MILLIS, interval));
	}

}
