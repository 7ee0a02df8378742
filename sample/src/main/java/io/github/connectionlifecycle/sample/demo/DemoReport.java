package io.github.connectionlifecycle.sample.demo;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.connectionlifecycle.jdbc.RetirementReason;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one demo run, as measured in that run.
 *
 * @param starterEnabled whether the starter's auto-configuration was active
 * @param maxAge the starter's {@code connection.max-age}, if set
 * @param serverWaitTimeoutSeconds the database server's wait_timeout
 * @param idleGap how long the worker sat idle between two events
 * @param sent how many events the producer sent
 * @param stored how many of them the worker stored
 * @param failedAttempts how many store attempts threw (Kafka redelivers those events)
 * @param poolValidationWarnings how many times HikariCP logged "Failed to validate connection"
 * @param events the first store attempt of each event, in the order sent
 * @param retired connections the starter retired, by reason, from its meters
 * @param starterCounters the starter's counters that counted something, from the
 * MeterRegistry, by meter name and tags
 */
public record DemoReport(boolean starterEnabled, @Nullable Duration maxAge, long serverWaitTimeoutSeconds,
		Duration idleGap, int sent, int stored, int failedAttempts, int poolValidationWarnings, List<EventTiming> events,
		Map<RetirementReason, Integer> retired, Map<String, Long> starterCounters) {

	public boolean allStored() {
		return this.stored == this.sent;
	}

	/**
	 * Renders the report for the console.
	 * @return the report, several lines
	 */
	public String render() {
		StringBuilder report = new StringBuilder();
		report.append("\n============ connection-lifecycle demo report ============\n");
		String maxAge = (this.maxAge != null) ? format(this.maxAge) : "unset";
		line(report, "Starter",
				this.starterEnabled ? "on (connection.max-age=" + maxAge + ")" : "off (connection.enabled=false)");
		line(report, "Server wait_timeout", this.serverWaitTimeoutSeconds + "s; idle gaps of "
				+ format(this.idleGap));
		line(report, "Events sent / stored", this.sent + " / " + this.stored);
		line(report, "Failed store attempts",
				this.failedAttempts + ((this.failedAttempts > 0) ? " (Kafka redelivers those events)" : ""));
		line(report, "Pool validation warnings", this.poolValidationWarnings + " (HikariCP \""
				+ DemoObservations.POOL_VALIDATION_WARNING + "\")");
		report.append("JDBC time of each event's first store attempt:\n");
		for (EventTiming event : this.events) {
			report.append(String.format("  event %d, %-22s %s%n", event.number(), event.describeIdleBefore() + ":",
					event.describeTime()));
		}
		report.append("The starter's counters (MeterRegistry, as /actuator/metrics shows them):\n");
		if (!this.starterEnabled) {
			report.append("  none (starter off)\n");
		}
		else if (this.starterCounters.isEmpty()) {
			report.append("  none\n");
		}
		this.starterCounters.forEach((meter, count) -> report.append(String.format("  %-76s %d%n", meter, count)));
		report.append(allStored() ? "Result: every event stored (exit status 0)\n"
				: "Result: " + (this.sent - this.stored) + " event(s) not stored (exit status 1)\n");
		report.append("==========================================================");
		return report.toString();
	}

	/**
	 * Formats a duration the way it is written in application.yml.
	 * @param duration the duration
	 * @return the duration, such as {@code 10m} or {@code 2.5s}
	 */
	static String format(Duration duration) {
		return duration.toString().substring(2).toLowerCase(Locale.ROOT);
	}

	private static void line(StringBuilder report, String label, String value) {
		report.append(String.format("%-28s %s%n", label, value));
	}

	/**
	 * The first attempt to store one event.
	 *
	 * @param number the event's number, from 1
	 * @param idleBefore how long the worker had been idle before it, or {@code null} for the
	 * first event, which follows start-up
	 * @param firstAttempt the JDBC time of the first store attempt, or {@code null} if the
	 * worker never tried
	 */
	public record EventTiming(int number, @Nullable Duration idleBefore, @Nullable Duration firstAttempt) {

		String describeIdleBefore() {
			return (this.idleBefore != null) ? "after " + format(this.idleBefore) + " idle"
					: "after start-up";
		}

		String describeTime() {
			return (this.firstAttempt != null) ? DemoObservations.millis(this.firstAttempt.toNanos()) : "never attempted";
		}

	}

}
