package io.github.connectionlifecycle.jdbc;

/**
 * Why the connection lifecycle retired (closed) a pooled connection.
 */
public enum RetirementReason {

	/** Older than {@code connection.max-age}, or {@code max-age: 0} and a unit of work used it. */
	MAX_AGE,

	/** Idle longer than the server's wait_timeout (minus a margin) or {@code connection.max-idle}. */
	IDLE,

	/** It raised a connection-level error (SQLState class 08, communication failure). */
	BROKEN,

	/** Idle in the pool while a sibling raised a connection-level error: probably dead too. */
	SIBLING_BROKEN,

	/** Returned with an open transaction or changed session state. */
	DIRTY,

	/**
	 * Closed from the other end while idle (a KILL, a restart or failover, the server's
	 * wait_timeout, a proxy), as the operating system saw, before any statement met it.
	 */
	CLOSED_BY_SERVER

}
