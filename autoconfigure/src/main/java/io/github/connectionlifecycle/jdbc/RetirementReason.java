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
	DIRTY

}
