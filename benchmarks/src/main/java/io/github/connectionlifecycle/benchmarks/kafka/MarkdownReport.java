package io.github.connectionlifecycle.benchmarks.kafka;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/** The summary table and the runs behind it, in Markdown. */
final class MarkdownReport {

	private MarkdownReport() {
	}

	/**
	 * @param options the session's options
	 * @param results every run of the session, warm-ups included, in order
	 * @param environment a line saying where and when it ran
	 * @return the report
	 */
	static String render(BenchmarkOptions options, List<RunResult> results, String environment) {
		StringBuilder out = new StringBuilder();
		out.append("# Kafka consumer throughput, starter off vs on\n\n");
		out.append(environment).append("\n\n");
		out.append("One consumer; each run a fresh application context and consumer group reading records produced "
				+ "beforehand, timed from resuming the container to the last record handled. Off = "
				+ "`connection.enabled=false`, on = defaults plus `connection.max-age=10m`, alternated off, on, off, on "
				+ "in one JVM against the same MariaDB server and Kafka broker; ")
			.append(options.warmupPairs())
			.append(" unmeasured off/on pair(s) first. Statements = the server's `Questions` per record; reconnects = "
					+ "its `Connections` per minute of the timed window.\n\n");
		out.append("| scenario | wait_timeout | records/run | runs | off: median rec/s (min–max) "
				+ "| on: median rec/s (min–max) | on/off (medians) | on/off per pair (min–max) "
				+ "| statements/record off / on | reconnects/min off / on |\n");
		out.append("|---|---|---|---|---|---|---|---|---|---|\n");
		for (int waitTimeout : options.waitTimeouts()) {
			for (Scenario scenario : options.scenarios()) {
				List<RunResult> off = measured(results, scenario, waitTimeout, false);
				List<RunResult> on = measured(results, scenario, waitTimeout, true);
				if (off.isEmpty() && on.isEmpty()) {
					continue;
				}
				out.append("| ")
					.append(scenario.id())
					.append(" | ")
					.append(waitTimeout)
					.append(" s | ")
					.append(format("%,d", options.records(scenario)))
					.append(" | ")
					.append(off.size())
					.append(" + ")
					.append(on.size())
					.append(" | ")
					.append(throughput(off))
					.append(" | ")
					.append(throughput(on))
					.append(" | ")
					.append(ratio(off, on))
					.append(" | ")
					.append(pairRatios(off, on))
					.append(" | ")
					.append(median(off, RunResult::statementsPerRecord, "%.2f"))
					.append(" / ")
					.append(median(on, RunResult::statementsPerRecord, "%.2f"))
					.append(" | ")
					.append(median(off, RunResult::connectionsPerMinute, "%.1f"))
					.append(" / ")
					.append(median(on, RunResult::connectionsPerMinute, "%.1f"))
					.append(" |\n");
			}
		}
		out.append("\nScenarios:\n\n");
		for (Scenario scenario : options.scenarios()) {
			out.append("- `").append(scenario.id()).append("`: ").append(scenario.description()).append('\n');
		}
		out.append("\nStatements by kind, per record and (in parentheses) in all, over the measured runs: the server's "
				+ "`Com_*` counters. `admin_commands` are pings (a pool's validation), which `Questions` does not "
				+ "count.\n\n");
		out.append("| wait_timeout | scenario | starter off | starter on |\n");
		out.append("|---|---|---|---|\n");
		for (int waitTimeout : options.waitTimeouts()) {
			for (Scenario scenario : options.scenarios()) {
				List<RunResult> off = measured(results, scenario, waitTimeout, false);
				List<RunResult> on = measured(results, scenario, waitTimeout, true);
				if (off.isEmpty() && on.isEmpty()) {
					continue;
				}
				out.append("| ")
					.append(waitTimeout)
					.append(" s | ")
					.append(scenario.id())
					.append(" | ")
					.append(commands(off))
					.append(" | ")
					.append(commands(on))
					.append(" |\n");
			}
		}
		out.append("\n## Runs\n\n");
		out.append("| wait_timeout | scenario | # | starter | records | seconds | records/s | statements "
				+ "| statements/record | connections |\n");
		out.append("|---|---|---|---|---|---|---|---|---|---|\n");
		for (RunResult run : results) {
			out.append("| ")
				.append(run.waitTimeout())
				.append(" s | ")
				.append(run.scenario().id())
				.append(" | ")
				.append(run.sequence())
				.append(run.warmup() ? " (warm-up)" : "")
				.append(" | ")
				.append(run.starterLabel())
				.append(" | ")
				.append(format("%,d", run.records()))
				.append(" | ")
				.append(format("%.2f", run.seconds()))
				.append(" | ")
				.append(format("%,.0f", run.recordsPerSecond()))
				.append(" | ")
				.append(format("%,d", run.statements()))
				.append(" | ")
				.append(format("%.3f", run.statementsPerRecord()))
				.append(" | ")
				.append(run.connections())
				.append(" |\n");
		}
		return out.toString();
	}

	/**
	 * @return e.g. "insert 1.00 (60,000), select 1.00 (60,000)": each kind per record, and in
	 * all, over all runs
	 */
	private static String commands(List<RunResult> runs) {
		long records = runs.stream().mapToLong(RunResult::records).sum();
		if (records == 0) {
			return "—";
		}
		Map<String, Long> totals = new TreeMap<>();
		runs.forEach((run) -> run.commands().forEach((name, count) -> totals.merge(name, count, Long::sum)));
		String kinds = totals.entrySet()
			.stream()
			.filter((entry) -> entry.getValue() != 0)
			.map((entry) -> format("%s %.2f (%,d)", entry.getKey(), (double) entry.getValue() / records,
					entry.getValue()))
			.collect(Collectors.joining(", "));
		return kinds.isEmpty() ? "none" : kinds;
	}

	static List<RunResult> measured(List<RunResult> results, Scenario scenario, int waitTimeout, boolean starter) {
		return results.stream()
			.filter((run) -> !run.warmup() && run.scenario() == scenario && run.waitTimeout() == waitTimeout
					&& run.starter() == starter)
			.toList();
	}

	private static String throughput(List<RunResult> runs) {
		if (runs.isEmpty()) {
			return "—";
		}
		double[] values = values(runs, RunResult::recordsPerSecond);
		return format("%,.0f (%,.0f–%,.0f)", median(values), values[0], values[values.length - 1]);
	}

	private static String ratio(List<RunResult> off, List<RunResult> on) {
		if (off.isEmpty() || on.isEmpty()) {
			return "—";
		}
		return format("%.3f", median(values(on, RunResult::recordsPerSecond))
				/ median(values(off, RunResult::recordsPerSecond)));
	}

	/** Each measured "on" run against the "off" run just before it. */
	private static String pairRatios(List<RunResult> off, List<RunResult> on) {
		int pairs = Math.min(off.size(), on.size());
		if (pairs == 0) {
			return "—";
		}
		List<Double> ratios = new ArrayList<>();
		for (int i = 0; i < pairs; i++) {
			ratios.add(on.get(i).recordsPerSecond() / off.get(i).recordsPerSecond());
		}
		double[] sorted = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		return format("%.3f–%.3f", sorted[0], sorted[sorted.length - 1]);
	}

	private static String median(List<RunResult> runs, ToDoubleFunction<RunResult> value, String pattern) {
		return runs.isEmpty() ? "—" : format(pattern, median(values(runs, value)));
	}

	private static double[] values(List<RunResult> runs, ToDoubleFunction<RunResult> value) {
		double[] values = runs.stream().mapToDouble(value).toArray();
		Arrays.sort(values);
		return values;
	}

	static double median(double[] sorted) {
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	private static String format(String pattern, Object... args) {
		return String.format(Locale.ROOT, pattern, args);
	}

}
