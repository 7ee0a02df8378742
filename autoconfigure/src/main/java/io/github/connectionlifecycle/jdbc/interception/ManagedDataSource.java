package io.github.connectionlifecycle.jdbc.interception;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import javax.sql.DataSource;

import io.github.connectionlifecycle.jdbc.CleanupPolicy;
import io.github.connectionlifecycle.jdbc.ConnectionRetiredEvent;
import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.jdbc.interception.KernelTcpTable.SocketKey;
import io.github.connectionlifecycle.jdbc.interception.KernelTcpTable.SocketState;
import io.github.connectionlifecycle.jdbc.interception.ServerIdleTimeout.SocketVisibility;
import io.github.connectionlifecycle.jdbc.pool.PhysicalConnections;
import io.github.connectionlifecycle.jdbc.pool.PoolAdapter;
import io.github.connectionlifecycle.jdbc.pool.SessionSetting;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;

/**
 * One pool under the lifecycle: the physical connections seen through it, the server's idle
 * timeout, and the decisions about which connections to retire. Every retirement goes
 * through this pool's own adapter, and only for connections this pool handed out.
 */
final class ManagedDataSource {

	private static final Log logger = LogFactory.getLog(ManagedDataSource.class);

	/** HikariCP's variance for max-lifetime: connections opened together do not expire together. */
	private static final double MAX_AGE_JITTER = 0.025;

	private static final Object UNKNOWN = new Object();

	/**
	 * Between a retirement and the refill it asks for: the server lets go of the retired
	 * sessions first, so that old and new never add up beyond the pool's maximum.
	 */
	static final long REFILL_DELAY_MILLIS = 250;

	private static final long REFILL_FIRST_BACK_OFF_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final long REFILL_MAX_BACK_OFF_NANOS = TimeUnit.SECONDS.toNanos(30);

	/**
	 * A connection the pool opened this recently for the borrow at hand is not looked up in
	 * the kernel's table: nothing can have closed it yet.
	 */
	private static final long JUST_OPENED_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final String name;

	private final PoolAdapter pool;

	private final CleanupPolicy policy;

	private final ApplicationEventPublisher eventPublisher;

	private final SweepClock clock;

	private final Map<Identity, ManagedConnection> connections = new ConcurrentHashMap<>();

	private final ServerIdleTimeout serverIdleTimeout;

	/** Sweep tick of the last borrow; written only when it changes. */
	private volatile long activeTick = -1;

	/** Written by the sweep: the tick it last saw, and when it saw activity last. */
	private volatile long lastSeenActiveTick = -1;

	private volatile long activeUntilNanos = System.nanoTime();

	/** When the pool's idle connections were last renewed: flushed, or refilled with fresh ones. */
	private volatile long lastRenewedNanos = this.activeUntilNanos;

	private volatile long idleLimitNanos;

	/** Set when the lifecycle retired connections; cleared by the refill that answers it. */
	private volatile boolean refillWanted;

	private volatile long lastRetiredNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(REFILL_DELAY_MILLIS);

	/** Owned by the refill thread: back-off after failed refills, and whether it is in one. */
	private long refillBackOffNanos;

	private long nextRefillNanos = System.nanoTime();

	private boolean refillFailing;

	/** Set once the start-up probe found this pool's sockets in the kernel's table. */
	private volatile boolean checksLiveness;

	private final @Nullable Object[] sessionDefaults = new Object[SessionSetting.values().length];

	private final boolean[] restoredOnReturn = new boolean[SessionSetting.values().length];

	/** Connections retired since start, by reason ordinal. */
	private final AtomicLongArray retirements = new AtomicLongArray(RetirementReason.values().length);

	/** The warnings logged about this pool's settings, for the Actuator endpoint. */
	private final List<String> findings = new CopyOnWriteArrayList<>();

	ManagedDataSource(String name, DataSource target, PoolAdapter pool, CleanupPolicy policy,
			ApplicationEventPublisher eventPublisher, SweepClock clock) {
		this.name = name;
		this.pool = pool;
		this.policy = policy;
		this.eventPublisher = eventPublisher;
		this.clock = clock;
		this.serverIdleTimeout = new ServerIdleTimeout(name, target, pool, policy.livenessCheckInterval() != null);
		this.idleLimitNanos = computeIdleLimitNanos();
		Arrays.fill(this.sessionDefaults, UNKNOWN);
		for (SessionSetting setting : SessionSetting.values()) {
			this.restoredOnReturn[setting.ordinal()] = pool.restoresOnReturn(setting);
		}
	}

	String name() {
		return this.name;
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
		return readServerIdleTimeout(atStartup, null);
	}

	/**
	 * Whether the server's idle timeout is still to be read (a volatile read once it is).
	 * @return {@code true} until it is read, but for 30 s after each failed attempt
	 */
	boolean isServerIdleTimeoutDue() {
		return this.serverIdleTimeout.isDue();
	}

	/**
	 * Reads the server's idle timeout from the first connection borrowed from the pool, before
	 * the borrower has it: the pool has just opened or validated it. Read later, at the end of
	 * start-up, a connection the pool opened early may have idled past the server's timeout,
	 * and a pool that validates it would warn.
	 * @param borrowed the connection
	 * @param atStartup whether start-up may still fail on settings that outlive the timeout
	 */
	void readServerIdleTimeoutFrom(Connection borrowed, boolean atStartup) {
		readServerIdleTimeout(atStartup, borrowed);
	}

	private boolean readServerIdleTimeout(boolean atStartup, @Nullable Connection borrowed) {
		if (!this.serverIdleTimeout.read(borrowed)) {
			return false;
		}
		this.idleLimitNanos = computeIdleLimitNanos();
		Duration timeout = this.serverIdleTimeout.get();
		if (timeout != null && this.policy.checkServerTimeout()) {
			List<String> problems = new ArrayList<>(this.pool.settingsOutliving(timeout));
			Duration maxIdle = this.policy.maxIdle();
			if (maxIdle != null && maxIdle.compareTo(timeout) >= 0) {
				problems.add("connection.max-idle=" + maxIdle + " is not below it, so it has no effect; "
						+ "set it below " + timeout + " or remove it");
			}
			reportServerTimeoutProblems(timeout, problems, atStartup);
		}
		reportLivenessCheck(this.serverIdleTimeout.socketVisibility());
		if (this.policy.checkServerTimeout() && this.serverIdleTimeout.networkTimeoutMillis() == 0) {
			warn("DataSource '" + this.name + "': its connections have no socket timeout, so a unit of work "
					+ "whose connection the network silently dropped (NAT, proxy or firewall idle cut, failover) "
					+ "waits for the operating system to give up, often many minutes. Set one longer than your "
					+ "slowest query: socketTimeout in the JDBC URL for MySQL (for example ?socketTimeout=60000), "
					+ "or the driver's equivalent; pair it with connection.max-idle below the network's idle limit.");
		}
		return true;
	}

	private void reportLivenessCheck(SocketVisibility visibility) {
		Duration interval = this.policy.livenessCheckInterval();
		if (interval == null || visibility == SocketVisibility.NOT_PROBED) {
			return;
		}
		this.checksLiveness = visibility == SocketVisibility.VISIBLE;
		if (this.checksLiveness) {
			logger.info("DataSource '" + this.name + "': idle connections the server closes (KILL, restart, failover, "
					+ "wait_timeout) are retired within " + interval.toMillis() + " ms, seen from the operating "
					+ "system's TCP table without a statement");
		}
		else {
			logger.info("DataSource '" + this.name + "': connections the server closes are found only when used, "
					+ "because " + visibility.reason() + "; the liveness check is off for it");
		}
	}

	private void reportServerTimeoutProblems(Duration timeout, List<String> problems, boolean atStartup) {
		if (problems.isEmpty()) {
			return;
		}
		String message = "DataSource '" + this.name + "': the database server closes connections idle for "
				+ timeout.toSeconds() + " s (" + this.serverIdleTimeout.setting() + "), but " + String.join("; ", problems)
				+ ". Units of work are protected by connection-lifecycle; other borrows are not. "
				+ "Set connection.server-timeout-check=off to silence this.";
		if (atStartup && this.policy.failOnServerTimeoutProblems()) {
			throw new IllegalStateException(message + " (start-up fails because connection.server-timeout-check=fail)");
		}
		warn(message);
	}

	private void warn(String finding) {
		this.findings.add(finding);
		logger.warn(finding);
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
	 * Whether the pool puts a session setting back when a connection is returned.
	 * @param setting the setting
	 * @return {@code true} when a borrower's change needs no tracking
	 */
	boolean restoresOnReturn(SessionSetting setting) {
		return this.restoredOnReturn[setting.ordinal()];
	}

	/**
	 * The value a session setting has when the pool hands a connection out, read once per
	 * pool from the first connection whose borrower changes it, before the change.
	 * @param setting the setting
	 * @param handle a connection of this pool whose setting no one has changed in this borrow
	 * @return the pool's default
	 * @throws SQLException if the driver cannot tell
	 */
	@Nullable Object sessionDefault(SessionSetting setting, Connection handle) throws SQLException {
		Object value = this.sessionDefaults[setting.ordinal()];
		if (value == UNKNOWN) {
			value = SessionSettings.read(setting, handle);
			this.sessionDefaults[setting.ordinal()] = value;
		}
		return value;
	}

	/**
	 * Notes a borrow, on the borrowing thread.
	 * @param handle what the pool handed out
	 * @return the physical connection behind it
	 */
	ManagedConnection borrowed(Connection handle) {
		this.pool.borrowed(handle);
		long tick = this.clock.tick();
		if (this.activeTick != tick) {
			this.activeTick = tick;
		}
		Connection physical = Objects.requireNonNullElse(this.pool.physicalConnection(handle), handle);
		Identity key = new Identity(physical);
		ManagedConnection connection = this.connections.get(key);
		if (connection == null) {
			connection = this.connections.computeIfAbsent(key, (identity) -> firstSeen(physical));
		}
		connection.borrowed(handle);
		return connection;
	}

	private ManagedConnection firstSeen(Connection physical) {
		long now = System.nanoTime();
		long openedAtMillis = PhysicalConnections.openedAtMillis(physical);
		long openedAtNanos = (openedAtMillis >= 0)
				? now - TimeUnit.MILLISECONDS.toNanos(Math.max(0, System.currentTimeMillis() - openedAtMillis)) : now;
		return new ManagedConnection(this, physical, openedAtNanos, retireAtNanos(openedAtNanos));
	}

	private long retireAtNanos(long openedAtNanos) {
		Duration maxAge = this.policy.maxAge();
		if (maxAge == null || maxAge.isZero()) {
			return Long.MAX_VALUE;
		}
		long maxAgeNanos = maxAge.toNanos();
		long jitter = (long) (maxAgeNanos * MAX_AGE_JITTER * ThreadLocalRandom.current().nextDouble());
		return openedAtNanos + maxAgeNanos - jitter;
	}

	void returned(ManagedConnection connection) {
		connection.returned(this.clock.coarseNanos());
	}

	/**
	 * Why a connection must not serve a unit of work any more: too old, or idle too long.
	 * @param connection the connection
	 * @param nowNanos {@link System#nanoTime()}
	 * @return the reason, or {@code null} when it may be used
	 */
	@Nullable RetirementReason staleReason(ManagedConnection connection, long nowNanos) {
		return staleReason(connection, nowNanos, this.idleLimitNanos);
	}

	private static @Nullable RetirementReason staleReason(ManagedConnection connection, long nowNanos,
			long idleThresholdNanos) {
		if (connection.isTooOld(nowNanos)) {
			return RetirementReason.MAX_AGE;
		}
		return (idleThresholdNanos != Long.MAX_VALUE && connection.idleNanos(nowNanos) > idleThresholdNanos)
				? RetirementReason.IDLE : null;
	}

	/**
	 * Retires a connection the current thread holds; its handle is done with afterwards:
	 * retired, or, when the pool refused, given back.
	 */
	void retireHeld(Connection handle, ManagedConnection connection, RetirementReason reason) {
		requireOwn(connection);
		forget(connection);
		try {
			this.pool.retireHeld(handle);
		}
		catch (SQLException | RuntimeException ex) {
			logger.warn("DataSource '" + this.name + "': could not retire a connection (" + reason
					+ "); giving it back to the pool instead", ex);
			releaseQuietly(handle);
			return;
		}
		retired(reason, 1, List.of(age(connection)));
	}

	private void releaseQuietly(Connection handle) {
		try {
			this.pool.release(handle);
		}
		catch (SQLException | RuntimeException ex) {
			logger.warn("DataSource '" + this.name + "': could not give a connection back to the pool", ex);
		}
	}

	/**
	 * Retires a connection that was returned to the pool, through a handle of ours that is
	 * closed: never one in use.
	 */
	boolean retireReturned(ManagedConnection connection, RetirementReason reason) {
		requireOwn(connection);
		Connection handle = connection.lastHandle();
		// Claimed first: the sweep and a unit's look-up of closed siblings may both get here.
		if (handle == null || !connection.claimRetirement()) {
			return false;
		}
		if (!retireReturnedHandle(handle, reason)) {
			connection.releaseRetirementClaim();
			return false;
		}
		forget(connection);
		retired(reason, 1, List.of(age(connection)));
		return true;
	}

	private boolean retireReturnedHandle(Connection handle, RetirementReason reason) {
		try {
			return this.pool.retireReturned(handle);
		}
		catch (RuntimeException ex) {
			logger.warn("DataSource '" + this.name + "': could not retire a returned connection (" + reason + ")", ex);
			return false;
		}
	}

	private void requireOwn(ManagedConnection connection) {
		if (connection.owner() != this) {
			throw new IllegalArgumentException("DataSource '" + this.name + "' did not hand out this connection (it "
					+ "belongs to '" + connection.owner().name() + "'); it is not retired through this pool");
		}
	}

	/**
	 * At a unit's first borrow from this pool: flushes the pool when it has been quiet longer
	 * than the idle limit, in case the background sweep fell behind.
	 */
	void flushIfQuietPastIdleLimit() {
		long limit = this.idleLimitNanos;
		if (limit != Long.MAX_VALUE && this.activeTick == this.lastSeenActiveTick
				&& quietNanos(System.nanoTime()) > limit) {
			flushIdle(RetirementReason.IDLE);
		}
	}

	/**
	 * In the background, while the application idles: retires idle connections a quarter of
	 * the idle limit before it, so the pool opens their replacements off the critical path
	 * and the next unit of work finds live connections, and those past max-age. When the
	 * whole pool has been quiet that long and nothing is in use, flushes it, which also
	 * reaches connections that were never borrowed through the lifecycle.
	 */
	void sweep() {
		if (!this.serverIdleTimeout.isKnown()) {
			readServerIdleTimeout(false);
		}
		long now = System.nanoTime();
		long tick = this.activeTick;
		if (tick != this.lastSeenActiveTick) {
			this.lastSeenActiveTick = tick;
			this.activeUntilNanos = now;
		}
		long limit = this.idleLimitNanos;
		long thresholdNanos = (limit == Long.MAX_VALUE) ? Long.MAX_VALUE : limit / 4 * 3;
		if (thresholdNanos != Long.MAX_VALUE && quietNanos(now) > thresholdNanos
				&& flushIdle(RetirementReason.IDLE)) {
			return;
		}
		for (ManagedConnection connection : this.connections.values()) {
			if (connection.isPhysicallyClosed()) {
				forget(connection);
				continue;
			}
			RetirementReason reason = connection.isBorrowed() ? null : staleReason(connection, now, thresholdNanos);
			if (reason != null) {
				retireReturned(connection, reason);
			}
		}
	}

	private long quietNanos(long nowNanos) {
		return nowNanos - Math.max(this.activeUntilNanos, this.lastRenewedNanos);
	}

	boolean checksLiveness() {
		return this.checksLiveness;
	}

	/**
	 * Whether the operating system has seen the server close a connection a unit is about to
	 * use and the pool did not validate: one found so by the background check, or one the
	 * pool opened earlier and hands out for the first time (one read of the kernel's table,
	 * once per connection: HikariCP hands a connection opened less than 500 ms ago out
	 * unvalidated, and the background sweep keeps opening such replacements).
	 * @param connection the connection
	 * @param idleNanos how long it has been idle
	 * @return {@code true} when it must be retired
	 */
	boolean isClosedByServer(ManagedConnection connection, long idleNanos) {
		if (connection.isClosedByServer()) {
			return true;
		}
		if (connection.wasReturned() || idleNanos < JUST_OPENED_NANOS) {
			return false;
		}
		return KernelTcpTable.SYSTEM.stateOf(connection.socketKey()) == SocketState.CLOSED;
	}

	/**
	 * Adds the local ports of the idle connections the liveness check will look up.
	 * @param ports the ports
	 */
	void addIdleSocketPorts(BitSet ports) {
		if (!this.checksLiveness) {
			return;
		}
		for (ManagedConnection connection : this.connections.values()) {
			SocketKey key = connection.isBorrowed() ? null : connection.socketKey();
			if (key != null) {
				ports.set(key.localPort());
			}
		}
	}

	/**
	 * At once, after a unit met a connection the server closed: the idle ones it closed with
	 * it.
	 */
	void retireIdleClosedByServer() {
		BitSet ports = new BitSet();
		addIdleSocketPorts(ports);
		if (!ports.isEmpty()) {
			retireClosedByServer(KernelTcpTable.SYSTEM.read(ports::get));
		}
	}

	/**
	 * In the background: retires idle connections whose sockets the server closed. When the
	 * pool cannot single them out, or holds idle connections the lifecycle has not seen (the
	 * server closed those too, most likely), it flushes the idle ones if none is in use.
	 * @param sockets the kernel's table, read for the ports of
	 * {@link #addIdleSocketPorts(BitSet)}
	 */
	void retireClosedByServer(KernelTcpTable.Snapshot sockets) {
		if (!this.checksLiveness) {
			return;
		}
		List<ManagedConnection> closed = new ArrayList<>();
		List<ManagedConnection> unlisted = new ArrayList<>();
		int open = 0;
		int idleInPool = this.pool.idleConnections();
		for (ManagedConnection connection : this.connections.values()) {
			if (connection.isPhysicallyClosed()) {
				// The pool closed it itself (its own idle or lifetime limits): not the server.
				forget(connection);
				continue;
			}
			SocketKey key = connection.isBorrowed() ? null : connection.socketKey();
			SocketState state = sockets.stateOf(key);
			if (state == SocketState.CLOSED && key != null) {
				(sockets.lists(key) ? closed : unlisted).add(connection);
			}
			else if (state == SocketState.OPEN) {
				open++;
			}
		}
		closed.addAll(confirmedGone(unlisted));
		closed.removeIf(ManagedConnection::isBorrowed);
		if (closed.isEmpty()) {
			return;
		}
		closed.forEach(ManagedConnection::markClosedByServer);
		// Where the pool can single connections out, a flush is for a close of all of them
		// (a restart, a failover), when it holds idle connections the lifecycle has not seen.
		boolean allClosedAndSomeUnseen = open == 0 && (idleInPool < 0 || idleInPool > closed.size());
		if (!this.pool.canRetireReturned() || allClosedAndSomeUnseen) {
			// The ages are not told apart between the two reasons.
			int flushed = flushIdleCount(null);
			if (flushed >= 0) {
				retired(RetirementReason.CLOSED_BY_SERVER, Math.min(flushed, closed.size()));
				retired(RetirementReason.SIBLING_BROKEN, flushed - closed.size());
				return;
			}
		}
		for (ManagedConnection connection : closed) {
			retireReturned(connection, RetirementReason.CLOSED_BY_SERVER);
		}
	}

	/**
	 * Whether the lifecycle retired connections of a pool that does not open replacements on
	 * its own, since the last refill.
	 * @return {@code true} when {@link #refill()} has work to do
	 */
	boolean wantsRefill() {
		return this.refillWanted && this.pool.canRefill();
	}

	/**
	 * Sockets missing from one read are looked up again: the kernel lists the table in
	 * chunks, and may skip a socket while others in its hash bucket come and go.
	 */
	private List<ManagedConnection> confirmedGone(List<ManagedConnection> unlisted) {
		if (unlisted.isEmpty()) {
			return unlisted;
		}
		BitSet ports = new BitSet();
		for (ManagedConnection connection : unlisted) {
			SocketKey key = connection.socketKey();
			if (key != null) {
				ports.set(key.localPort());
			}
		}
		KernelTcpTable.Snapshot again = KernelTcpTable.SYSTEM.read(ports::get);
		List<ManagedConnection> gone = new ArrayList<>();
		for (ManagedConnection connection : unlisted) {
			if (again.stateOf(connection.socketKey()) == SocketState.CLOSED) {
				gone.add(connection);
			}
		}
		return gone;
	}

	/**
	 * On the refill thread: opens connections the pool keeps idle, so that the next unit of
	 * work does not open one on its critical path. A failure (the server is down) is logged
	 * once per outage and retried with back-off; units are never kept waiting for it.
	 */
	void refill() {
		long now = System.nanoTime();
		if (!wantsRefill() || now - this.nextRefillNanos < 0
				|| now - this.lastRetiredNanos < TimeUnit.MILLISECONDS.toNanos(REFILL_DELAY_MILLIS)) {
			return;
		}
		// Cleared first: a retirement during the refill asks for another.
		this.refillWanted = false;
		try {
			int opened = this.pool.refillIdle(this::openedByRefill);
			if (opened < 0) {
				// Connections in use: their borrowers give them back; asked again at the next tick.
				this.refillWanted = true;
				return;
			}
			if (this.refillFailing) {
				logger.info("DataSource '" + this.name + "': opened connections in the background again");
			}
			this.refillFailing = false;
			this.refillBackOffNanos = 0;
			if (opened > 0) {
				// Fresh connections: the pool's quiet time starts again.
				this.lastRenewedNanos = System.nanoTime();
				if (logger.isDebugEnabled()) {
					logger.debug("DataSource '" + this.name + "': opened " + opened + " connection(s) in the background");
				}
			}
		}
		catch (SQLException | RuntimeException ex) {
			if (Thread.currentThread().isInterrupted()) {
				return; // stopping: the pool is about to close
			}
			this.refillWanted = true;
			this.refillBackOffNanos = Math.min(Math.max(2 * this.refillBackOffNanos, REFILL_FIRST_BACK_OFF_NANOS),
					REFILL_MAX_BACK_OFF_NANOS);
			this.nextRefillNanos = System.nanoTime() + this.refillBackOffNanos;
			if (!this.refillFailing) {
				this.refillFailing = true;
				logger.warn("DataSource '" + this.name + "': could not open connections in the background ("
						+ ex.getMessage() + "); trying again every "
						+ TimeUnit.NANOSECONDS.toSeconds(REFILL_MAX_BACK_OFF_NANOS)
						+ " s at most, said again when it works; units of work open their own meanwhile");
			}
		}
	}

	/** The lifecycle knows a connection the refill opened, as idle since now. */
	private void openedByRefill(Connection handle) {
		Connection physical = Objects.requireNonNullElse(this.pool.physicalConnection(handle), handle);
		ManagedConnection connection = this.connections.computeIfAbsent(new Identity(physical),
				(identity) -> firstSeen(physical));
		connection.borrowed(handle);
		connection.returned(this.clock.coarseNanos());
	}

	/**
	 * After a connection-level error: its idle siblings are probably dead too.
	 */
	void retireIdleSiblingsOfBroken() {
		if (flushIdle(RetirementReason.SIBLING_BROKEN)) {
			return;
		}
		for (ManagedConnection connection : this.connections.values()) {
			if (!connection.isBorrowed()) {
				retireReturned(connection, RetirementReason.SIBLING_BROKEN);
			}
		}
	}

	private boolean flushIdle(RetirementReason reason) {
		List<Duration> ages = new ArrayList<>();
		int flushed = flushIdleCount(ages);
		if (flushed < 0) {
			return false;
		}
		retired(reason, flushed, ages);
		return true;
	}

	/**
	 * @param ages where to add the ages of the tracked connections the flush closed, or
	 * {@code null}
	 * @return how many idle connections the pool closed, -1 when it did not flush
	 */
	private int flushIdleCount(@Nullable List<Duration> ages) {
		int flushed;
		try {
			flushed = this.pool.flushIdleIfNoneInUse();
		}
		catch (RuntimeException ex) {
			logger.warn("DataSource '" + this.name + "': could not flush idle connections", ex);
			return -1;
		}
		if (flushed >= 0) {
			this.lastRenewedNanos = System.nanoTime();
			this.connections.values().forEach((connection) -> {
				connection.markRetired();
				if (ages != null) {
					ages.add(age(connection));
				}
			});
			this.connections.clear();
		}
		return flushed;
	}

	private void forget(ManagedConnection connection) {
		connection.markRetired();
		this.connections.remove(new Identity(connection.physical()));
	}

	/** Forgets every connection: the pool is closing. */
	void close() {
		this.connections.clear();
	}

	int knownConnections() {
		return this.connections.size();
	}

	Collection<ManagedConnection> trackedConnections() {
		return this.connections.values();
	}

	ServerIdleTimeout serverIdleTimeout() {
		return this.serverIdleTimeout;
	}

	long retirementCount(RetirementReason reason) {
		return this.retirements.get(reason.ordinal());
	}

	List<String> findings() {
		return List.copyOf(this.findings);
	}

	private static Duration age(ManagedConnection connection) {
		return Duration.ofNanos(connection.ageNanos(System.nanoTime()));
	}

	private void retired(RetirementReason reason, int count) {
		retired(reason, count, List.of());
	}

	private void retired(RetirementReason reason, int count, List<Duration> ages) {
		if (count <= 0) {
			return;
		}
		this.retirements.addAndGet(reason.ordinal(), count);
		this.lastRetiredNanos = System.nanoTime();
		this.refillWanted = true;
		if (logger.isDebugEnabled()) {
			logger.debug("DataSource '" + this.name + "': retired " + count + " connection(s), " + reason);
		}
		try {
			this.eventPublisher.publishEvent(new ConnectionRetiredEvent(this, this.name, reason, count,
					(ages.size() > count) ? ages.subList(0, count) : ages));
		}
		catch (RuntimeException ex) {
			logger.warn("A listener of ConnectionRetiredEvent failed; ignored", ex);
		}
	}

	@Override
	public String toString() {
		return "ManagedDataSource[" + this.name + "]";
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
