package io.github.connectionlifecycle.benchmarks.kafka;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The command-line options of {@link KafkaThroughputBenchmark}.
 *
 * @param records records per run in the scenarios that use JDBC
 * @param recordsNoJdbc records per run in the {@code no-jdbc} scenario
 * @param runs measured runs per starter setting (off and on each), per scenario and server setting
 * @param warmupPairs unmeasured off/on pairs before the measured ones
 * @param scenarios the scenarios, in order
 * @param waitTimeouts the server's {@code wait_timeout} settings in seconds, in order
 * @param output where the Markdown report is written
 * @param generalLog where the server writes every statement it receives (its general query
 * log, which slows it down: for finding out what the statements are, not for measuring), or
 * {@code null}
 */
record BenchmarkOptions(int records, int recordsNoJdbc, int runs, int warmupPairs, List<Scenario> scenarios,
		List<Integer> waitTimeouts, Path output, @Nullable Path generalLog) {

	static final String USAGE = """
			Options:
			  --records N            records per run, JDBC scenarios (default 20000)
			  --records-no-jdbc N    records per run, no-jdbc scenario (default 200000)
			  --runs N               measured runs with the starter off, and as many on (default 3)
			  --warmup N             unmeasured off/on pairs first (default 1)
			  --scenarios LIST       insert,read-insert,no-jdbc (default: all)
			  --wait-timeouts LIST   server wait_timeout settings in seconds (default 600,2)
			  --output FILE          Markdown report (default benchmarks/target/kafka-throughput.md)
			  --general-log FILE     diagnostics: the server logs every statement to FILE (slows it down)
			""";

	static BenchmarkOptions parse(String[] args) {
		int records = 20_000;
		int recordsNoJdbc = 200_000;
		int runs = 3;
		int warmup = 1;
		List<Scenario> scenarios = List.of(Scenario.values());
		List<Integer> waitTimeouts = List.of(600, 2);
		Path output = Path.of("benchmarks", "target", "kafka-throughput.md");
		Path generalLog = null;
		for (int i = 0; i < args.length; i++) {
			String option = args[i];
			if ("--help".equals(option) || "-h".equals(option)) {
				throw new IllegalArgumentException(USAGE);
			}
			if (i + 1 >= args.length) {
				throw new IllegalArgumentException("Option " + option + " needs a value\n" + USAGE);
			}
			String value = args[++i];
			switch (option) {
				case "--records" -> records = positive(option, value);
				case "--records-no-jdbc" -> recordsNoJdbc = positive(option, value);
				case "--runs" -> runs = positive(option, value);
				case "--warmup" -> warmup = nonNegative(option, value);
				case "--scenarios" -> scenarios = list(value).stream().map(Scenario::of).distinct().toList();
				case "--wait-timeouts" ->
					waitTimeouts = list(value).stream().map((each) -> positive("--wait-timeouts", each)).toList();
				case "--output" -> output = Path.of(value);
				case "--general-log" -> generalLog = Path.of(value).toAbsolutePath();
				default -> throw new IllegalArgumentException("Unknown option " + option + "\n" + USAGE);
			}
		}
		if (scenarios.isEmpty() || waitTimeouts.isEmpty()) {
			throw new IllegalArgumentException("No scenario or no wait_timeout given\n" + USAGE);
		}
		return new BenchmarkOptions(records, recordsNoJdbc, runs, warmup, scenarios, waitTimeouts, output,
				generalLog);
	}

	/** @return the records per run of a scenario */
	int records(Scenario scenario) {
		return (scenario == Scenario.NO_JDBC) ? this.recordsNoJdbc : this.records;
	}

	private static List<String> list(String value) {
		List<String> items = new ArrayList<>(
				new LinkedHashSet<>(Arrays.stream(value.split(",")).map(String::trim).filter((s) -> !s.isEmpty()).toList()));
		return items;
	}

	private static int positive(String option, String value) {
		int number = nonNegative(option, value);
		if (number == 0) {
			throw new IllegalArgumentException(option + " must be positive, was " + value);
		}
		return number;
	}

	private static int nonNegative(String option, String value) {
		try {
			int number = Integer.parseInt(value.replace("_", ""));
			if (number < 0) {
				throw new IllegalArgumentException(option + " must not be negative, was " + value);
			}
			return number;
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(option + " needs a number, was '" + value + "'");
		}
	}

}
