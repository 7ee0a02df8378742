package io.github.connectionlifecycle.sample.demo;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Reads the starter's own counters from the {@link MeterRegistry}, as a dashboard would.
 */
final class StarterMeters {

	private static final String PREFIX = "connection.lifecycle.";

	private final MeterRegistry registry;

	StarterMeters(MeterRegistry registry) {
		this.registry = registry;
	}

	/**
	 * Connections retired, by reason, summed over the DataSources.
	 * @return the reasons with at least one retirement
	 */
	Map<RetirementReason, Integer> retired() {
		Map<RetirementReason, Integer> byReason = new EnumMap<>(RetirementReason.class);
		for (FunctionCounter counter : this.registry.find(PREFIX + "retirements").functionCounters()) {
			int count = (int) counter.count();
			if (count > 0) {
				byReason.merge(RetirementReason.valueOf(counter.getId().getTag("reason")), count, Integer::sum);
			}
		}
		return byReason;
	}

	/**
	 * Every counter of the starter that has counted something, with its tags.
	 * @return counts by meter name and tags, such as
	 * {@code connection.lifecycle.units{kind=KAFKA_RECORD,outcome=SUCCESS}}
	 */
	Map<String, Long> counters() {
		Map<String, Long> counters = new TreeMap<>();
		for (Meter meter : this.registry.getMeters()) {
			if (!meter.getId().getName().startsWith(PREFIX)) {
				continue;
			}
			long count = count(meter);
			if (count > 0) {
				counters.put(describe(meter), count);
			}
		}
		return counters;
	}

	private static long count(Meter meter) {
		if (meter instanceof FunctionCounter counter) {
			return (long) counter.count();
		}
		if (meter instanceof FunctionTimer timer) {
			return (long) timer.count();
		}
		return (meter instanceof Timer timer) ? timer.count() : 0;
	}

	private static String describe(Meter meter) {
		String tags = meter.getId()
			.getTags()
			.stream()
			.map((tag) -> tag.getKey() + "=" + tag.getValue())
			.collect(Collectors.joining(","));
		return meter.getId().getName() + (tags.isEmpty() ? "" : "{" + tags + "}");
	}

}
