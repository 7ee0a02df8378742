package io.github.connectionlifecycle.benchmarks.kafka;

import java.util.Map;

/**
 * One run: a fresh application context consuming {@code records} records.
 *
 * @param scenario the listener
 * @param waitTimeout the server's {@code wait_timeout} in seconds
 * @param starter whether the starter was on
 * @param sequence the run's place in its off/on sequence, from 1
 * @param warmup whether the run is an unmeasured warm-up
 * @param records records handled
 * @param nanos from resuming the container to the last record handled
 * @param statements statements the server received in that window (its {@code Questions}),
 * the admin connection's own reads subtracted
 * @param connections connections the server accepted in that window (its {@code Connections})
 * @param commands the statements of that window by kind: the server's non-zero {@code Com_*}
 * counters, without the prefix
 */
record RunResult(Scenario scenario, int waitTimeout, boolean starter, int sequence, boolean warmup, long records,
		long nanos, long statements, long connections, Map<String, Long> commands) {

	double recordsPerSecond() {
		return this.records / seconds();
	}

	double seconds() {
		return this.nanos / 1e9;
	}

	double statementsPerRecord() {
		return (double) this.statements / this.records;
	}

	double connectionsPerMinute() {
		return this.connections / (seconds() / 60);
	}

	String starterLabel() {
		return this.starter ? "on" : "off";
	}

}
