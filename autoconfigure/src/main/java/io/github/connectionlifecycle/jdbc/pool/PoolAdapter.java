package io.github.connectionlifecycle.jdbc.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Retires connections through a pool's own API, so the pool's accounting stays right. One
 * adapter serves one pool, and the lifecycle passes it only handles that pool handed out
 * (each target of a routing DataSource has its own adapter): HikariCP, for one, would mark
 * another pool's connection evicted without closing it or freeing its slot. Implement it (with a
 * {@link PoolAdapterFactory} bean) to give a pool the connection lifecycle does not know,
 * such as Oracle UCP, the same care as HikariCP.
 * <p>
 * Methods other than {@link #retireHeld(Connection)} and {@link #release(Connection)} are
 * called on any thread, including the background idle sweep; none but
 * {@link #refillIdle(Consumer)} may block on the pool.
 */
public interface PoolAdapter {

	/**
	 * The driver's connection behind a handle this pool handed out: the object whose identity
	 * is the physical connection. Called on every borrow, so pools that know their handles
	 * answer without searching.
	 * @param handle what the pool handed out
	 * @return the physical connection, or the handle itself when the pool does not expose it
	 */
	default Connection physicalConnection(Connection handle) {
		return PhysicalConnections.physical(handle);
	}

	/**
	 * Notes that a handle was borrowed; pools whose connections may be shared between
	 * borrowers count them.
	 * @param handle what the pool handed out
	 */
	default void borrowed(Connection handle) {
	}

	/**
	 * Gives back a connection the caller is done with and keeps in service.
	 * @param handle a connection the pool handed out and the caller has not closed
	 * @throws SQLException if the pool could not take it back
	 */
	default void release(Connection handle) throws SQLException {
		handle.close();
	}

	/**
	 * Closes a connection the caller holds and removes it from the pool. The handle must not
	 * be used or closed afterwards.
	 * @param handle a connection this pool handed out and the caller has not closed
	 * @throws SQLException if the pool could not retire it; the caller then gives the handle
	 * back with {@link #release(Connection)}
	 */
	void retireHeld(Connection handle) throws SQLException;

	/**
	 * Retires a connection that was handed out earlier and since returned, if it is still
	 * idle; one that was borrowed again in between is retired when that borrower returns it,
	 * never while it is in use.
	 * @param returnedHandle the handle of an earlier borrow, already closed
	 * @return whether the pool accepted the request; by default, pools that cannot single
	 * out a returned connection without racing its next borrower decline
	 */
	default boolean retireReturned(Connection returnedHandle) {
		return false;
	}

	/**
	 * Whether {@link #retireReturned(Connection)} can work with this pool.
	 * @return {@code false} when returned connections are out of reach
	 */
	default boolean canRetireReturned() {
		return false;
	}

	/**
	 * Closes every idle connection of the pool, but only if none is in use.
	 * @return how many connections were closed, or -1 when some were in use or the pool
	 * cannot flush (nothing done)
	 */
	int flushIdleIfNoneInUse();

	/**
	 * Whether {@link #refillIdle(Consumer)} can open connections for this pool. HikariCP's
	 * adapter says no: HikariCP keeps {@code minimumIdle} open from its own thread.
	 * @return {@code true} when the lifecycle should refill the pool after retiring some of
	 * its connections
	 */
	default boolean canRefill() {
		return false;
	}

	/**
	 * Opens connections until the pool holds as many idle as it is configured to keep, at
	 * least one, never beyond its maximum, and only while none is in use: after the lifecycle
	 * retired idle connections, the next unit of work then finds an open one instead of
	 * opening it on its critical path. A pool that opens connections only for borrowers may
	 * refill only when it holds none. Called, when {@link #canRefill()}, on a background
	 * thread of the lifecycle; unlike the other methods it may block while the driver
	 * connects, never on a pool that is out of connections.
	 * @param opened told of every handle the pool lends to open a connection, before it is
	 * given back, so the lifecycle knows the connection; not called by pools that open
	 * connections without lending them
	 * @return how many connections were opened (0 when the pool holds enough idle ones), or -1
	 * when connections are in use: asked again at the next tick
	 * @throws SQLException if a connection could not be opened (the server is down)
	 */
	default int refillIdle(Consumer<Connection> opened) throws SQLException {
		return -1;
	}

	/**
	 * How many connections the pool holds idle now, so that the lifecycle knows whether it
	 * has seen them all.
	 * @return the count, or -1 when the pool does not say
	 */
	default int idleConnections() {
		return -1;
	}

	/**
	 * Whether the pool validates a connection idle for the given time when it is borrowed.
	 * @param idleNanos how long the connection was idle
	 * @return {@code true} when the pool's own check makes ours redundant
	 */
	boolean validatesOnBorrow(long idleNanos);

	/**
	 * Whether the pool puts a session setting back to its default when a connection is
	 * returned, so that a borrower who changed it leaves nothing behind. For
	 * {@link SessionSetting#AUTO_COMMIT} this also means uncommitted work is rolled back.
	 * @param setting the setting
	 * @return {@code true} when the lifecycle need not track it
	 */
	default boolean restoresOnReturn(SessionSetting setting) {
		return false;
	}

	/**
	 * Pool settings under which idle connections outlive the server's idle timeout, so that
	 * borrows outside units of work may meet connections the server has closed.
	 * @param serverIdleTimeout the server's wait_timeout
	 * @return one sentence per problem, naming the property and the fix; empty when none
	 */
	List<String> settingsOutliving(Duration serverIdleTimeout);

	/**
	 * A short description of what the adapter can do, for the start-up log.
	 * @return the description
	 */
	String describe();

}
