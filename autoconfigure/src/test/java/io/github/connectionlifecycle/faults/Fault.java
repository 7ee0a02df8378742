package io.github.connectionlifecycle.faults;

import java.time.Duration;
import java.util.List;

/**
 * A way the database connections of an idle application die. Each fault brings the
 * starter properties a user facing it should set (the "on*" rows of the matrix).
 */
enum Fault {

	/** Idle longer than the server's wait_timeout: the server closes the pool's connections. */
	IDLE_GAP("idle gap", List.of()),

	/** Every session KILLed from an admin connection, as a failover does; the next unit follows at once. */
	KILL("KILL", List.of("connection.health-checks=true")),

	/**
	 * Every session KILLed {@link #PAUSE} after the last unit, the next unit at once, with the
	 * server's short wait_timeout: the idle sweep has just replaced idle connections, and
	 * HikariCP hands out a connection opened less than 500 ms ago unvalidated.
	 */
	KILL_SHORT_TIMEOUT("KILL, 2s", List.of("connection.health-checks=true")),

	/**
	 * Every session KILLed while the application idles, the next unit {@link #QUIET} later: time
	 * for the liveness check to see it. The server's own wait_timeout is long.
	 */
	KILL_THEN_QUIET("KILL, idle", List.of()),

	/** As {@link #KILL_THEN_QUIET}, with the server's short wait_timeout: the idle sweep churns. */
	KILL_THEN_QUIET_SHORT_TIMEOUT("KILL, idle, 2s", List.of()),

	/** The server stopped and started again on the same port. */
	RESTART("restart", List.of()),

	/** Stopped and started again while the application idles; the next unit {@link #QUIET} after. */
	RESTART_THEN_QUIET("restart, idle", List.of()),

	/**
	 * A NAT gateway or firewall forgets idle connections: they go silent, with no reset. The
	 * server's own wait_timeout is long, so only a network idle limit helps.
	 */
	BLACK_HOLE("black hole", List.of("connection.max-idle=1s"));

	/** Between the last unit and a KILL: past the idle sweep's first replacements at a 2 s wait_timeout. */
	static final Duration PAUSE = Duration.ofMillis(1200);

	/** 1.5 times the default liveness-check interval. */
	static final Duration QUIET = Duration.ofMillis(1500);

	private final String displayName;

	private final List<String> recommendedStarterProperties;

	Fault(String displayName, List<String> recommendedStarterProperties) {
		this.displayName = displayName;
		this.recommendedStarterProperties = recommendedStarterProperties;
	}

	String displayName() {
		return this.displayName;
	}

	List<String> recommendedStarterProperties() {
		return this.recommendedStarterProperties;
	}

}
