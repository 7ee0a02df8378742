package io.github.connectionlifecycle.faults;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults on real servers, starter on: a network black hole and KILLs under concurrent Kafka
 * deliveries and scheduled runs for every pool, and a server restart for HikariCP. The full
 * pool × fault matrix, starter on and off, is {@link FaultMatrixReport}.
 */
class FaultIntegrationTest {

	/**
	 * The driver's socket timeout: the most a unit waits for a connection the pool opened
	 * into the black hole (the starter's background sweep retires idle connections while it
	 * lasts). Without the starter, the pool validates every dead connection instead, 1 s each
	 * here (HikariCP's validation-timeout), or reads on one until this timeout.
	 */
	private static final Duration FIRST_UNIT_BOUND = FaultRunner.SOCKET_TIMEOUT;

	@AutoClose
	private static final FaultRunner faults = new FaultRunner();

	@Test
	void restartFailsUnitsOnlyWhileTheServerIsDown() {
		FaultOutcome outcome = faults.run(PoolUnderTest.HIKARI, Fault.RESTART, StarterSetup.ON, 4);
		assertThat(outcome.outageUnitsFailed()).as("units during the outage").isEqualTo(FaultRunner.UNITS_DURING_OUTAGE);
		assertThat(outcome.unitsFailed()).as("units after the server is back").isZero();
		assertThat(outcome.recordsLost()).isZero();
	}

	@ParameterizedTest(name = "{0}, pool size {1}")
	@MethodSource("poolsAndSizes")
	void afterABlackHoleTheFirstUnitWaitsAtMostTheSocketTimeoutWhateverThePoolSize(PoolUnderTest pool, int poolSize) {
		FaultOutcome outcome = faults.run(pool, Fault.BLACK_HOLE, StarterSetup.RECOMMENDED, poolSize);
		assertThat(outcome.unitsFailed()).isZero();
		assertThat(outcome.validationWarnings()).as("dead connections HikariCP had to validate").isZero();
		assertThat(outcome.firstOperation()).isLessThan(FIRST_UNIT_BOUND);
	}

	static Stream<Arguments> poolsAndSizes() {
		return PoolUnderTest.available()
			.stream()
			.flatMap((pool) -> IntStream.of(2, 8)
				.map(pool::connections)
				.distinct()
				.mapToObj((size) -> Arguments.of(pool, size)));
	}

	/**
	 * SingleConnectionDataSource passes too, though its consumers share one connection: the
	 * starter resets it once the last borrower of the killed one gives it back, and the
	 * deliveries that borrowed it meanwhile fail and are retried. Without the starter it is
	 * never reset and every record is lost (see the matrix).
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("availablePools")
	void concurrentDeliveriesUnderKillsLoseNoRecordAndLeakNoConnection(PoolUnderTest pool) {
		ConcurrentKillScenario.Outcome outcome = new ConcurrentKillScenario(pool).run(StarterSetup.ON);
		assertThat(outcome.fault().recordsLost()).as("records without their row").isZero();
		// SingleConnectionDataSource has no pool to count what is out.
		if (pool != PoolUnderTest.SINGLE_CONNECTION) {
			assertThat(outcome.activeAfter()).as("connections still in use at the end").isZero();
		}
		assertThat(outcome.leakWarnings()).as("HikariCP leak detection warnings").isZero();
	}

	static List<PoolUnderTest> availablePools() {
		return PoolUnderTest.available();
	}

}
