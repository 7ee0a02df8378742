package io.github.connectionlifecycle.faults;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's idle gap on every pool, starter on with its defaults: the first unit after the
 * gap uses a connection that was open before it started (HikariCP refills itself; the
 * lifecycle refills the pools that open connections only for borrowers), without ever
 * holding more sessions than the pool's maximum and without a pool warning.
 * {@link FaultMatrixReport} gives the times.
 */
class RefillIntegrationTest {

	private static final int POOL_SIZE = 4;

	private static FaultRunner faults;

	@BeforeAll
	static void startRunner() {
		faults = new FaultRunner();
	}

	@AfterAll
	static void closeRunner() {
		faults.close();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("availablePools")
	void afterAnIdleGapTheFirstUnitFindsAConnectionAlreadyOpen(PoolUnderTest pool) {
		FaultOutcome outcome = faults.run(pool, Fault.IDLE_GAP, StarterSetup.ON, POOL_SIZE);
		assertThat(outcome.unitsFailed()).as("units failed").isZero();
		assertThat(outcome.firstUnitOpenedConnection()).as("first unit opened its connection").isFalse();
		assertThat(outcome.maxSessions()).as("most sessions at once").isBetween(1, pool.connections(POOL_SIZE));
		assertThat(outcome.poolWarnings()).as("pool warnings, leak warnings among them").isZero();
	}

	static List<PoolUnderTest> availablePools() {
		return PoolUnderTest.available();
	}

}
