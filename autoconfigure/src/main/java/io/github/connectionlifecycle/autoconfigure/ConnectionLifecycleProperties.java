package io.github.connectionlifecycle.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the unit-of-work connection lifecycle.
 */
@ConfigurationProperties("connection")
public class ConnectionLifecycleProperties {

	/**
	 * Whether units of work get boundaries and connection cleanup at all.
	 */
	private boolean enabled = true;

	/**
	 * Longest time a physical connection may live, counted from when it was opened. Older
	 * connections are retired at the next unit-of-work boundary and never handed to a unit.
	 * 0 closes every connection a unit used when the unit ends; unset means no age limit
	 * besides the pool's own.
	 */
	private @Nullable Duration maxAge;

	/**
	 * Whether to check that a connection is alive the first time a unit of work uses it,
	 * unless the pool has just validated it.
	 */
	private boolean healthChecks = false;

	/**
	 * Longest time a connection may sit idle before a unit of work uses it, when the
	 * network path (NAT gateway, proxy, firewall) drops idle connections sooner than the
	 * database server's own idle timeout does. Unset means the server's timeout alone.
	 */
	private @Nullable Duration maxIdle;

	/**
	 * What to do at start-up when a setting lets connections outlive the database server's
	 * idle timeout (wait_timeout).
	 */
	private ServerTimeoutCheck serverTimeoutCheck = ServerTimeoutCheck.WARN;

	/**
	 * Whether SQL that changes session state (SET, USE, temporary tables, table locks; a
	 * heuristic on the SQL text) retires the connection when it is returned.
	 */
	private boolean sessionStateSqlCheck = true;

	/**
	 * How often idle connections are checked for a close from the server's side (KILL,
	 * restart, failover, idle timeout), by asking the operating system for the state of
	 * their TCP sockets: no statement is sent. 0 turns the check off.
	 */
	private Duration livenessCheckInterval = Duration.ofSeconds(1);

	/**
	 * Whether an error saying the server is read-only (MySQL and MariaDB error 1290 for
	 * --read-only or 1836, PostgreSQL SQLState 25006) retires the connection and flushes
	 * its idle siblings, as a connection-level error does: after a failover that leaves
	 * sockets open (Aurora, RDS), they point at the demoted writer. A read-only transaction
	 * the application asked for does not count on MySQL and MariaDB (error 1792).
	 */
	private boolean retireOnReadOnlyErrors = true;

	/**
	 * Names of DataSource beans to leave alone.
	 */
	private List<String> excludedDataSources = new ArrayList<>();

	private final EntryPoint kafka = new EntryPoint();

	private final EntryPoint scheduling = new EntryPoint();

	private final Metrics metrics = new Metrics();

	private final EntryPoint rabbit = new EntryPoint();

	private final EntryPoint jms = new EntryPoint();

	private final EntryPoint async = new EntryPoint();

	private final EntryPoint batch = new EntryPoint();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable Duration getMaxAge() {
		return this.maxAge;
	}

	public void setMaxAge(@Nullable Duration maxAge) {
		if (maxAge != null && maxAge.isNegative()) {
			throw new IllegalArgumentException("connection.max-age must not be negative (was " + maxAge
					+ "); use 0 to close connections after every unit of work, a positive duration such as 10m, "
					+ "or remove the property for no age limit");
		}
		this.maxAge = maxAge;
	}

	public boolean isHealthChecks() {
		return this.healthChecks;
	}

	public void setHealthChecks(boolean healthChecks) {
		this.healthChecks = healthChecks;
	}

	public boolean isRetireOnReadOnlyErrors() {
		return this.retireOnReadOnlyErrors;
	}

	public void setRetireOnReadOnlyErrors(boolean retireOnReadOnlyErrors) {
		this.retireOnReadOnlyErrors = retireOnReadOnlyErrors;
	}

	public @Nullable Duration getMaxIdle() {
		return this.maxIdle;
	}

	public void setMaxIdle(@Nullable Duration maxIdle) {
		if (maxIdle != null && (maxIdle.isNegative() || maxIdle.isZero())) {
			throw new IllegalArgumentException("connection.max-idle must be positive (was " + maxIdle
					+ "); set it a little below the idle timeout of your NAT gateway or proxy, for example 5m, "
					+ "or remove the property to rely on the server's wait_timeout");
		}
		this.maxIdle = maxIdle;
	}

	public ServerTimeoutCheck getServerTimeoutCheck() {
		return this.serverTimeoutCheck;
	}

	public void setServerTimeoutCheck(ServerTimeoutCheck serverTimeoutCheck) {
		this.serverTimeoutCheck = serverTimeoutCheck;
	}

	public boolean isSessionStateSqlCheck() {
		return this.sessionStateSqlCheck;
	}

	public void setSessionStateSqlCheck(boolean sessionStateSqlCheck) {
		this.sessionStateSqlCheck = sessionStateSqlCheck;
	}

	public Duration getLivenessCheckInterval() {
		return this.livenessCheckInterval;
	}

	public void setLivenessCheckInterval(Duration livenessCheckInterval) {
		if (livenessCheckInterval.isNegative()
				|| (!livenessCheckInterval.isZero() && livenessCheckInterval.toMillis() < 100)) {
			throw new IllegalArgumentException("connection.liveness-check-interval must be 0 (off) or at least 100ms (was "
					+ livenessCheckInterval + "); each check reads the operating system's TCP table once, so about 1s "
					+ "is a good balance");
		}
		this.livenessCheckInterval = livenessCheckInterval;
	}

	public List<String> getExcludedDataSources() {
		return this.excludedDataSources;
	}

	public void setExcludedDataSources(List<String> excludedDataSources) {
		this.excludedDataSources = excludedDataSources;
	}

	public EntryPoint getKafka() {
		return this.kafka;
	}

	public EntryPoint getScheduling() {
		return this.scheduling;
	}

	public Metrics getMetrics() {
		return this.metrics;
	}

	public EntryPoint getRabbit() {
		return this.rabbit;
	}

	public EntryPoint getJms() {
		return this.jms;
	}

	public EntryPoint getAsync() {
		return this.async;
	}

	public EntryPoint getBatch() {
		return this.batch;
	}

	/**
	 * What to do when a setting lets connections outlive the server's idle timeout.
	 */
	public enum ServerTimeoutCheck {

		/** Log a warning at start-up. */
		WARN,

		/** Fail start-up. */
		FAIL,

		/** Do not check. */
		OFF

	}

	/**
	 * Settings of one entry point (a source of units of work).
	 */
	public static class EntryPoint {

		// Described per entry point in additional-spring-configuration-metadata.json.
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Micrometer meters of the connection lifecycle.
	 */
	public static class Metrics {

		/**
		 * Whether to register the connection lifecycle's meters (retirements, units of
		 * work, the background sweep, per-DataSource settings) with the MeterRegistry.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

}
