package io.github.connectionlifecycle.faults;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults on real servers, HikariCP, starter on: a server restart, a network black hole,
 * and KILLs under concurrent Kafka deliveries and scheduled runs. The full pool × fault matrix, starter on and off, is {@link FaultMatrixReport}.
 */
class FaultIntegrationTest {

	/** Far below one HikariCP validation timeout per dead connection (1 s here, 5 s by default). */
	private static final Duration FIRST_UNIT_BOUND = Duration.ofMillis(900);

	private static FaultRunner faults;

	@BeforeAll
	static void startRunner() {
		faults = new FaultRunner();
	}

	@AfterAll
	static void closeRunner() {
		faults.close();
	}

	@Test
	void restartFailsUnitsOnlyWhileTheServerIsDown() {
		FaultOutcome outcome = faults.run(PoolUnderTest.HIKARI, Fault.RESTART, StarterSetup.ON, 4);
		assertThat(outcome.outageUnitsFailed()).as("units during the outage").isEqualTo(FaultRunner.UNITS_DURING_OUTAGE);
		assertThat(outcome.unitsFailed()).as("units after the server is back").isZero();
		assertThat(outcome.recordsLost()).isZero();
	}

	@ParameterizedTest(name = "pool size {0}")
	@ValueSource(ints = { 2, 8 })
	void afterABlackHoleTheFirstUnitIsQuickWhateverThePoolSize(int poolSize) {
		FaultOutcome outcome = faults.run(PoolUnderTest.HIKARI, Fault.BLACK_HOLE, StarterSetup.RECOMMENDED, poolSize);
		assertThat(outcome.unitsFailed()).isZero();
		assertThat(outcome.validationWarnings()).as("dead connections HikariCP had to validate").isZero();
		assertThat(outcome.firstOperation()).isLessThan(FIRST_UNIT_BOUND);
	}

	@Test
	void concurrentDeliveriesUnderKillsLoseNoRecordAndLeakNoConnection() {
		ConcurrentKillScenario.Outcome outcome = new ConcurrentKillScenario().run(StarterSetup.ON);
		assertThat(outcome.fault().recordsLost()).as("records without their row").isZero();
		assertThat(outcome.activeAfter()).as("connections still in use at the end").isZero();
		assertThat(outcome.leakWarnings()).as("HikariCP leak detection warnings").isZero();
	}

}
