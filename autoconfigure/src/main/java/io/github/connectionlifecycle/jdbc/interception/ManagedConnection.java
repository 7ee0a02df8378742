package io.github.connectionlifecycle.jdbc.interception;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Socket;
import java.sql.Connection;
import java.util.concurrent.TimeUnit;

import io.github.connectionlifecycle.jdbc.interception.KernelTcpTable.SocketKey;
import io.github.connectionlifecycle.jdbc.pool.PhysicalConnections;
import org.jspecify.annotations.Nullable;

/**
 * What the lifecycle knows of one physical connection of a pool. Written by the thread that
 * holds the connection, with release stores (no fence on the borrow path); read by the
 * background sweep with acquire loads.
 */
final class ManagedConnection {

	private static final long NEVER = Long.MIN_VALUE;

	private final ManagedDataSource owner;

	private final Connection physical;

	/** {@link System#nanoTime()} scale: when it was opened, or first seen when the driver does not say. */
	private final long openedAtNanos;

	/** {@link System#nanoTime()} scale; {@link Long#MAX_VALUE} without an age limit. */
	private final long retireAtNanos;

	private static final VarHandle LAST_HANDLE;

	private static final VarHandle BORROWED;

	private static final VarHandle RETURNED_AT_NANOS;

	private static final VarHandle RETIRED;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			LAST_HANDLE = lookup.findVarHandle(ManagedConnection.class, "lastHandle", Connection.class);
			BORROWED = lookup.findVarHandle(ManagedConnection.class, "borrowed", boolean.class);
			RETURNED_AT_NANOS = lookup.findVarHandle(ManagedConnection.class, "returnedAtNanos", long.class);
			RETIRED = lookup.findVarHandle(ManagedConnection.class, "retired", boolean.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private @Nullable Connection lastHandle;

	private boolean borrowed;

	/** When it was last returned through the lifecycle, at the sweep clock's resolution. */
	private long returnedAtNanos = NEVER;

	private volatile boolean retired;

	/** The key and the socket it was read from: a driver that fails over or reconnects changes it. */
	private @Nullable KeyedSocket keyedSocket;

	/** The operating system saw the server close it; it can never serve again. */
	private volatile boolean closedByServer;

	ManagedConnection(ManagedDataSource owner, Connection physical, long openedAtNanos, long retireAtNanos) {
		this.owner = owner;
		this.physical = physical;
		this.openedAtNanos = openedAtNanos;
		this.retireAtNanos = retireAtNanos;
	}

	ManagedDataSource owner() {
		return this.owner;
	}

	Connection physical() {
		return this.physical;
	}

	long ageNanos(long nowNanos) {
		return nowNanos - this.openedAtNanos;
	}

	long retireAtNanos() {
		return this.retireAtNanos;
	}

	boolean hasAgeLimit() {
		return this.retireAtNanos != Long.MAX_VALUE;
	}

	boolean isTooOld(long nowNanos) {
		return nowNanos - this.retireAtNanos >= 0 && this.retireAtNanos != Long.MAX_VALUE;
	}

	/**
	 * How long it has been idle: since it was last returned through the lifecycle (rounded
	 * up to the sweep clock), or, for a connection the lifecycle has not seen returned, what
	 * the driver says (it sees borrowers and statements the lifecycle never saw).
	 * @param nowNanos {@link System#nanoTime()}
	 * @return idle nanoseconds, or -1 when neither can tell
	 */
	long idleNanos(long nowNanos) {
		long returnedAt = (long) RETURNED_AT_NANOS.getAcquire(this);
		if (returnedAt != NEVER) {
			return nowNanos - returnedAt;
		}
		long driverIdleMillis = PhysicalConnections.idleMillis(this.physical);
		return (driverIdleMillis >= 0) ? TimeUnit.MILLISECONDS.toNanos(driverIdleMillis) : -1;
	}

	void borrowed(Connection handle) {
		LAST_HANDLE.setRelease(this, handle);
		BORROWED.setRelease(this, true);
	}

	void returned(long atNanos) {
		RETURNED_AT_NANOS.setRelease(this, atNanos);
		BORROWED.setRelease(this, false);
	}

	/**
	 * Whether a borrower ever returned it through the lifecycle: a connection that was not
	 * may be one the pool opened in the background and has not handed out yet.
	 */
	boolean wasReturned() {
		return (long) RETURNED_AT_NANOS.getAcquire(this) != NEVER;
	}

	/**
	 * The key of the physical connection's socket now. Racing threads may both read it; the
	 * key is immutable, and a stale one only answers UNKNOWN or for the socket it names.
	 * @return the key, or {@code null} when the driver does not expose a TCP socket
	 */
	@Nullable SocketKey socketKey() {
		Socket socket = PhysicalConnections.socket(this.physical);
		if (socket == null) {
			return null;
		}
		KeyedSocket keyed = this.keyedSocket;
		if (keyed == null || keyed.socket() != socket) {
			keyed = new KeyedSocket(socket, SocketKey.of(socket));
			this.keyedSocket = keyed;
		}
		return keyed.key();
	}

	private record KeyedSocket(Socket socket, @Nullable SocketKey key) {
	}

	void markClosedByServer() {
		this.closedByServer = true;
	}

	boolean isClosedByServer() {
		return this.closedByServer;
	}

	boolean isBorrowed() {
		return (boolean) BORROWED.getAcquire(this);
	}

	@Nullable Connection lastHandle() {
		return (Connection) LAST_HANDLE.getAcquire(this);
	}

	void markRetired() {
		this.retired = true;
		BORROWED.setRelease(this, false);
	}

	/**
	 * Claims the retirement of this connection for the caller.
	 * @return {@code false} when it is retired, or claimed by another thread
	 */
	boolean claimRetirement() {
		return RETIRED.compareAndSet(this, false, true);
	}

	/** The pool declined the retirement: another may try later. */
	void releaseRetirementClaim() {
		this.retired = false;
	}

	boolean isPhysicallyClosed() {
		try {
			return this.physical.isClosed();
		}
		catch (Exception ex) {
			return true;
		}
	}

}
