package io.github.connectionlifecycle.jdbc;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * What the lifecycle retires, from the {@code connection.*} properties.
 *
 * @param maxAge longest life of a physical connection; zero retires every connection a unit
 * used when the unit ends; {@code null} for no limit
 * @param maxIdle longest idle time the network path tolerates, or {@code null}
 * @param healthChecks whether to check a connection on its first use in a unit when the
 * pool did not just validate it
 * @param failOnServerTimeoutProblems whether settings that outlive the server's idle
 * timeout fail start-up instead of being logged
 * @param checkServerTimeout whether to report such settings at all
 * @param livenessCheckInterval how often idle connections are checked for a close from the
 * server's side through the operating system's view of their sockets, or {@code null} for
 * never
 * @param retiresOnReadOnlyErrors whether an error saying the server is read-only retires the
 * connection and its idle siblings, as a connection-level error does
 */
public record CleanupPolicy(@Nullable Duration maxAge, @Nullable Duration maxIdle, boolean healthChecks,
		boolean checkServerTimeout, boolean failOnServerTimeoutProblems, @Nullable Duration livenessCheckInterval,
		boolean retiresOnReadOnlyErrors) {

	/**
	 * Whether every connection a unit used is retired when the unit ends ({@code max-age: 0}).
	 * @return {@code true} for a max age of zero
	 */
	public boolean closesAfterEveryUnit() {
		return this.maxAge != null && this.maxAge.isZero();
	}

}
