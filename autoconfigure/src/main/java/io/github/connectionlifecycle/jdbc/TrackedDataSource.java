package io.github.connectionlifecycle.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;

/**
 * One DataSource bean under the lifecycle: the physical connections seen through it, the
 * server's idle timeout, and the decisions about which connections to retire.
 */
final class TrackedDataSource {

	private static final Log logger = LogFactory.getLog(TrackedDataSource.class);

	private final String beanName;

	private final PoolAdapter pool;

	private final CleanupPolicy policy;

	private final ApplicationEventPublisher eventPublisher;

	private final Map<Identity, PooledConnection> connections = new ConcurrentHashMap<>();

	private final ServerIdleTimeout serverIdleTimeout;

	private volatile long lastActivityNanos = System.nanoTime();

	/** Connections the pool opened since then have been idle no longer than that. */
	private volatile long lastFlushNanos = this.lastActivityNanos;

	private volatile @Nullable Boolean defaultAutoCommit;

	/** Derived from the server's idle timeout and {@code connection.max-idle}; updated when the timeout is read. */
	private volatile long idleLimitNanos;

	TrackedDataSource(String beanName, DataSource target, PoolAdapter pool, CleanupPolicy policy,
			ApplicationEventPublisher eventPublisher) {
		this.beanName = beanName;
		this.pool = pool;
		this.policy = policy;
		this.eventPublisher = eventPublisher;
		this.serverIdleTimeout = new ServerIdleTimeout(beanName, target, pool);
		this.idleLimitNanos = computeIdleLimitNanos();
	}

	String beanName() {
		return this.beanName;
	}

	PoolAdapter pool() {
		return this.pool;
	}

	CleanupPolicy policy() {
		return this.policy;
	}

	/**
	 * Reads the server's idle timeout and reports pool settings that outlive it.
	 * @param atStartup whether start-up may still fail on such settings
	 * @return whether this call read the timeout
	 */
	boolean readServerIdleTimeout(boolean atStartup) {
		if (!this.serverIdleTimeout.read()) {
			return false;
		}
		this.idleLimitNanos = computeIdleLimitNanos();
		Duration timeout = this.serverIdleTimeout.get();
		if (timeout != null && this.policy.checkServerTimeout()) {
			List<String> problems = new ArrayList<>(this.pool.settingsOutliving(timeout));
			if (this.policy.maxIdle() != null && this.policy.maxIdle().compareTo(timeout) >= 0) {
				problems.add("connection.max-idle=" + this.policy.maxIdle() + " is not below it, so it has no effect; "
						+ "set it below " + timeout + " or remove it");
			}
			reportServerTimeoutProblems(timeout, problems, atStartup);
		}
		if (this.policy.checkServerTimeout() && this.serverIdleTimeout.networkTimeoutMillis() == 0) {
			logger.warn("DataSource '" + this.beanName + "': its connections have no socket timeout, so a unit of work "
					+ "whose connection the network silently dropped (NAT, proxy or firewall idle cut, failover) "
					+ "waits for the operating system to give up, often many minutes. Set one longer than your "
					+ "slowest query: socketTimeout in the JDBC URL for MySQL (for example ?socketTimeout=60000), "
					+ "or the driver's equivalent; pair it with connection.max-idle below the network's idle limit.");
		}
		return true;
	}

	private void reportServerTimeoutProblems(Duration timeout, List<String> problems, boolean atStartup) {
		if (problems.isEmpty()) {
			return;
		}
		String message = "DataSource '" + this.beanName + "': the database server closes connections idle for "
				+ timeout.toSeconds() + " s (wait_timeout), but " + String.join("; ", problems)
				+ ". Units of work are protected by connection-lifecycle; other borrows are not. "
				+ "Set connection.server-timeout-check=off to silence this.";
		if (atStartup && this.policy.failOnServerTimeoutProblems()) {
			throw new IllegalStateException(message + " (start-up fails because connection.server-timeout-check=fail)");
		}
		logger.warn(message);
	}

	/**
	 * The longest a connection may have been idle and still be handed to a unit of work.
	 * @return the limit in nanoseconds, {@link Long#MAX_VALUE} when neither the server nor
	 * the user sets one
	 */
	long idleLimitNanos() {
		return this.idleLimitNanos;
	}

	private long computeIdleLimitNanos() {
		long limit = Long.MAX_VALUE;
		Duration server = this.serverIdleTimeout.get();
		if (server != null) {
			// Our idle clock starts when the connection is returned, a little after the
			// server's starts; keep a margin so we retire before the server closes.
			long margin = Math.min(Math.max(server.toMillis() / 10, 1000), 30_000);
			limit = TimeUnit.MILLISECONDS.toNanos(Math.max(server.toMillis() - margin, server.toMillis() / 2));
		}
		Duration maxIdle = this.policy.maxIdle();
		return (maxIdle != null) ? Math.min(limit, maxIdle.toNanos()) : limit;
	}

	/**
	 * The auto-commit mode connections have when the pool hands them out.
	 * @param handle a connection of this pool whose auto-commit mode no one changed
	 * @return the pool's default auto-commit mode
	 * @throws SQLException if the driver cannot tell
	 */
	boolean defaultAutoCommit(Connection handle) throws SQLException {
		Boolean autoCommit = this.defaultAutoCommit;
		if (autoCommit == null) {
			autoCommit = handle.getAutoCommit();
			this.defaultAutoCommit = autoCommit;
		}
		return autoCommit;
	}

	PooledConnection borrowed(Connection handle) {
		this.pool.borrowed(handle);
		Connection physical = PhysicalConnections.physical(handle);
		PooledConnection connection = this.connections.computeIfAbsent(new Identity(physical), (key) -> {
			Long openedAt = PhysicalConnections.openedAtMillis(physical);
			return new PooledConnection(physical, (openedAt != null) ? openedAt : System.currentTimeMillis());
		});
		connection.borrowed(handle);
		this.lastActivityNanos = System.nanoTime();
		return connection;
	}

	void returned(PooledConnection connection) {
		long now = System.nanoTime();
		connection.returned(now);
		this.lastActivityNanos = now;
	}

	/**
	 * Why a connection must not serve a unit of work any more: too old, or idle too long.
	 * @param connection the connection
	 * @return the reason, or {@code null} when it may be used
	 */
	@Nullable RetirementReason staleReason(PooledConnection connection) {
		return staleReason(connection, this.idleLimitNanos);
	}

	private @Nullable RetirementReason staleReason(PooledConnection connection, long idleThresholdNanos) {
		if (this.policy.isTooOld(connection.ageMillis(System.currentTimeMillis()))) {
			return RetirementReason.MAX_AGE;
		}
		return (connection.idleNanos(System.nanoTime()) > idleThresholdNanos) ? RetirementReason.IDLE : null;
	}

	/**
	 * Retires a connection the current thread holds; its handle is done with afterwards.
	 */
	void retireHeld(Connection handle, PooledConnection connection, RetirementReason reason) {
		forget(connection);
		try {
			this.pool.retireHeld(handle);
		}
		catch (SQLException | RuntimeException ex) {
			logger.warn("DataSource '" + this.beanName + "': could not retire a connection (" + reason + ")", ex);
			return;
		}
		retired(reason, 1);
	}

	/**
	 * Retires a connection that was returned to the pool, through a handle of ours that is
	 * closed: never one in use.
	 */
	boolean retireReturned(PooledConnection connection, Connection returnedHandle, RetirementReason reason) {
		if (connection.isRetired() || !this.pool.retireReturned(returnedHandle)) {
			return false;
		}
		forget(connection);
		retired(reason, 1);
		return true;
	}

	/**
	 * At the start of a unit of work, in constant time: flushes the pool when it has been
	 * quiet longer than the idle limit, in case the background sweep fell behind. Single
	 * stale connections are caught when the unit borrows them.
	 */
	void flushIfQuietPastIdleLimit() {
		if (quietNanos() > this.idleLimitNanos) {
			flushIdle(RetirementReason.IDLE);
		}
	}

	/**
	 * In the background, while the application idles: retires idle connections a quarter of
	 * the idle limit before it, so the pool opens their replacements off the critical path
	 * and the next unit of work finds live connections. When the whole pool has been quiet
	 * that long and nothing is in use, flushes it, which also reaches connections that were
	 * never borrowed through the lifecycle.
	 */
	void retireIdleConnectionsAhead() {
		if (!this.serverIdleTimeout.isKnown()) {
			readServerIdleTimeout(false);
		}
		long thresholdNanos = (this.idleLimitNanos == Long.MAX_VALUE) ? Long.MAX_VALUE : this.idleLimitNanos / 4 * 3;
		if (quietNanos() > thresholdNanos && flushIdle(RetirementReason.IDLE)) {
			return;
		}
		for (PooledConnection connection : this.connections.values()) {
			if (connection.isPhysicallyClosed()) {
				forget(connection);
				continue;
			}
			RetirementReason reason = connection.isBorrowed() ? null : staleReason(connection, thresholdNanos);
			Connection handle = connection.lastHandle();
			if (reason != null && handle != null) {
				retireReturned(connection, handle, reason);
			}
		}
	}

	/** Connections the pool opened since the last borrow, return or flush have been idle no longer. */
	private long quietNanos() {
		return System.nanoTime() - Math.max(this.lastActivityNanos, this.lastFlushNanos);
	}

	/**
	 * After a connection-level error: its idle siblings are probably dead too.
	 */
	void retireIdleSiblingsOfBroken() {
		if (flushIdle(RetirementReason.SIBLING_BROKEN)) {
			return;
		}
		for (PooledConnection connection : this.connections.values()) {
			Connection handle = connection.lastHandle();
			if (!connection.isBorrowed() && handle != null) {
				retireReturned(connection, handle, RetirementReason.SIBLING_BROKEN);
			}
		}
	}

	private boolean flushIdle(RetirementReason reason) {
		int flushed = this.pool.flushIdleIfNoneInUse();
		if (flushed < 0) {
			return false;
		}
		this.lastFlushNanos = System.nanoTime();
		this.connections.values().forEach(PooledConnection::markRetired);
		this.connections.clear();
		retired(reason, flushed);
		return true;
	}

	private void forget(PooledConnection connection) {
		connection.markRetired();
		this.connections.remove(new Identity(connection.physical()));
	}

	private void retired(RetirementReason reason, int count) {
		if (count <= 0) {
			return;
		}
		if (logger.isDebugEnabled()) {
			logger.debug("DataSource '" + this.beanName + "': retired " + count + " connection(s), " + reason);
		}
		try {
			this.eventPublisher.publishEvent(new ConnectionRetiredEvent(this, this.beanName, reason, count));
		}
		catch (RuntimeException ex) {
			logger.warn("A listener of ConnectionRetiredEvent failed; ignored", ex);
		}
	}

	@Override
	public String toString() {
		return "TrackedDataSource[" + this.beanName + "]";
	}

	/** Physical connections are told apart by identity, whatever their equals says. */
	private record Identity(Connection connection) {

		@Override
		public boolean equals(Object other) {
			return other instanceof Identity identity && identity.connection == this.connection;
		}

		@Override
		public int hashCode() {
			return System.identityHashCode(this.connection);
		}

	}

}
