package io.github.connectionlifecycle.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.core.NestedExceptionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The evidence: every available pool × every fault, with the starter off, on, and on with
 * the fault's recommended properties, plus KILLs under concurrent Kafka and scheduled work
 * for every pool. Prints a fixed-width table to stdout and to {@code target/fault-matrix.txt}.
 * <p>
 * Slow (several minutes), so its name keeps it out of the normal suite; run it with
 * {@code scripts/fault-matrix.sh}.
 */
@Tag("fault-matrix")
class FaultMatrixReport {

	/** Restricts the matrix to some pools, e.g. {@code -Dfault-matrix.pools=HIKARI,TOMCAT}. */
	static final String POOLS_PROPERTY = "fault-matrix.pools";

	/** Restricts the matrix to some faults, e.g. {@code -Dfault-matrix.faults=RESTART,CONCURRENCY}. */
	static final String FAULTS_PROPERTY = "fault-matrix.faults";

	private static final int POOL_SIZE = 4;

	private static final Path REPORT = Path.of("target", "fault-matrix.txt");

	private static final String ROW_FORMAT = "%-16s %-16s %-7s %12s %12s %10s %14s %10s %10s  %s%n";

	@Test
	void printFaultMatrix() throws IOException {
		long start = System.nanoTime();
		List<Row> rows = new ArrayList<>();
		try (FaultRunner faults = new FaultRunner()) {
			for (PoolUnderTest pool : pools()) {
				for (Fault fault : faults()) {
					for (StarterSetup starter : StarterSetup.values()) {
						if (starter.appliesTo(fault)) {
							rows.add(measure(pool.displayName(), fault.displayName(), starter,
									() -> faults.run(pool, fault, starter, POOL_SIZE)));
						}
					}
				}
			}
		}
		for (PoolUnderTest pool : concurrencyPools()) {
			for (StarterSetup starter : StarterSetup.values()) {
				rows.add(measure(pool.displayName(), "concurrency", starter,
						() -> new ConcurrentKillScenario(pool).run(starter).fault()));
			}
		}
		String report = render(rows, Duration.ofNanos(System.nanoTime() - start));
		System.out.print(report);
		Files.createDirectories(REPORT.getParent());
		Files.writeString(REPORT, report, StandardCharsets.UTF_8);
		assertThat(rows).as("runs that could not be measured").noneMatch(Row::isError);
	}

	/** The available pools, or those named in {@value #POOLS_PROPERTY}. */
	private static List<PoolUnderTest> pools() {
		return selected(POOLS_PROPERTY, PoolUnderTest.available());
	}

	/** Every fault, or those named in {@value #FAULTS_PROPERTY} (CONCURRENCY for the Kafka one). */
	private static List<Fault> faults() {
		return selected(FAULTS_PROPERTY, List.of(Fault.values()));
	}

	private static List<PoolUnderTest> concurrencyPools() {
		boolean selected = selected(FAULTS_PROPERTY, List.of("CONCURRENCY")).size() == 1;
		return selected ? pools() : List.of();
	}

	/** The candidates named in a comma-separated system property; all of them when it is unset. */
	private static <T> List<T> selected(String property, List<T> candidates) {
		String names = System.getProperty(property, "");
		List<String> wanted = List.of(names.toUpperCase(Locale.ROOT).split(","));
		return candidates.stream().filter((candidate) -> names.isBlank() || wanted.contains(candidate.toString())).toList();
	}

	/** One run; a run that breaks becomes a row saying so, and the others still run. */
	private static Row measure(String pool, String fault, StarterSetup starter, Supplier<FaultOutcome> run) {
		try {
			return new Row(pool, fault, starter.label(), run.get(), null);
		}
		catch (RuntimeException | AssertionError ex) {
			Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
			return new Row(pool, fault, starter.label(), null, cause.toString().lines().findFirst().orElse(""));
		}
	}

	private static String render(List<Row> rows, Duration took) {
		StringBuilder table = new StringBuilder();
		table.append(String.format(ROW_FORMAT, "pool", "fault", "starter", "units failed", "records lost",
				"pool WARNs", "validate WARNs", "first op", "steady op", "notes"));
		table.append("-".repeat(136)).append(System.lineSeparator());
		for (Row row : rows) {
			table.append(row.format());
		}
		table.append(System.lineSeparator())
			.append("Pool size " + POOL_SIZE + " (SingleConnection: 1); " + FaultRunner.UNITS_AFTER_FAULT
					+ " units after each fault, each inserting one record (no retries: a failed unit loses its record). "
					+ "HikariCP: validation-timeout 1 s, "
					+ "connection-timeout 6 s; Tomcat and DBCP2 max wait 3 s.")
			.append(System.lineSeparator())
			.append("Faults: idle gap " + FaultRunner.IDLE_GAP.toSeconds() + " s (wait_timeout "
					+ EmbeddedMariaDb.WAIT_TIMEOUT_SECONDS
					+ " s); KILL of every session, next unit at once (2s: "
					+ Fault.PAUSE.toMillis() + " ms after the last unit, server wait_timeout 2 s); KILL / restart, idle = next unit "
					+ Fault.QUIET.toMillis() + " ms after (server wait_timeout 600 s, or 2 s where the fault says 2s); "
					+ "restart = stop, "
					+ FaultRunner.UNITS_DURING_OUTAGE + " units while down, start after " + FaultRunner.OUTAGE.toSeconds()
					+ " s; black hole "
					+ FaultRunner.BLACK_HOLE.toSeconds() + " s through a TCP proxy (driver socketTimeout "
					+ FaultRunner.SOCKET_TIMEOUT.toSeconds() + " s); "
					+ "concurrency = " + ConcurrentKillScenario.RECORDS + " Kafka records on "
					+ ConcurrentKillScenario.PARTITIONS + " partitions, 4 consumers, a 50 ms @Scheduled reader, "
					+ "KILLs every 20-200 ms, " + ConcurrentKillScenario.RETRIES + " retries per delivery, pool size "
					+ ConcurrentKillScenario.POOL_SIZE + " (HikariCP: connection-timeout 3 s, leak detection 2 s).")
			.append(System.lineSeparator())
			.append("Starter: off = connection.enabled=false; on = defaults; on* = on with the fault's "
					+ "recommended properties:");
		for (Fault fault : Fault.values()) {
			if (!fault.recommendedStarterProperties().isEmpty()) {
				table.append(" " + fault.displayName() + " " + fault.recommendedStarterProperties() + ";");
			}
		}
		table.append(System.lineSeparator())
			.append("Matrix took " + took.toSeconds() + " s.")
			.append(System.lineSeparator());
		return table.toString();
	}

	private record Row(String pool, String fault, String starter, @Nullable FaultOutcome outcome,
			@Nullable String error) {

		boolean isError() {
			return this.error != null;
		}

		String format() {
			if (this.outcome == null) {
				return String.format(ROW_FORMAT, this.pool, this.fault, this.starter, "-", "-", "-", "-", "-", "-",
						"ERROR " + this.error);
			}
			String note = this.outcome.firstUnitOpenedConnection() ? "first unit reconnected " + this.outcome.note()
					: this.outcome.note();
			return String.format(ROW_FORMAT, this.pool, this.fault, this.starter, this.outcome.unitsFailed(),
					this.outcome.recordsLost(), this.outcome.poolWarnings(), this.outcome.validationWarnings(),
					millis(this.outcome.firstOperation()), millis(this.outcome.steadyOperation()), note.strip());
		}

		private static String millis(@Nullable Duration duration) {
			return (duration != null) ? String.format(Locale.ROOT, "%.1f ms", duration.toNanos() / 1e6) : "-";
		}

	}

}
