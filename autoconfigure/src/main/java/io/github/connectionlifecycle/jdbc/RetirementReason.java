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

	/**
	 * It raised an error saying the server is read-only (MySQL and MariaDB 1290
	 * {@code --read-only} or 1836, PostgreSQL 25006): after a failover that left the socket
	 * open, it points at the demoted writer. See {@code connection.retire-on-read-only-errors}.
	 */
	READ_ONLY,

	/**
	 * Idle in the pool while a sibling raised a connection-level or read-only error: probably
	 * dead, or pointing at the same server, too.
	 */
	SIBLING_BROKEN,

	/** Returned with an open transaction or changed session state. */
	DIRTY,

	/**
	 * Closed from the other end while idle (a KILL, a restart or failover, the server's
	 * wait_timeout, a proxy), as the operating system saw, before any statement met it.
	 */
	CLOSED_BY_SERVER

}
