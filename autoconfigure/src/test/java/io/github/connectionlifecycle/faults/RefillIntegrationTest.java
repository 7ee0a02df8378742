package io.github.connectionlifecycle.faults;

import java.util.List;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

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

	private static final String REFILL_FAILED = "could not open connections in the background";

	@AutoClose
	private static final FaultRunner faults = new FaultRunner();

	@ParameterizedTest(name = "{0}")
	@MethodSource("availablePools")
	void afterAnIdleGapTheFirstUnitFindsAConnectionAlreadyOpen(PoolUnderTest pool) {
		FaultOutcome outcome = faults.run(pool, Fault.IDLE_GAP, StarterSetup.ON, POOL_SIZE);
		assertThat(outcome.unitsFailed()).as("units failed").isZero();
		assertThat(outcome.firstUnitOpenedConnection()).as("first unit opened its connection").isFalse();
		assertThat(outcome.maxSessions()).as("most sessions at once").isBetween(1, pool.connections(POOL_SIZE));
		assertThat(outcome.poolWarnings()).as("pool warnings, leak warnings among them").isZero();
	}

	/** Tomcat JDBC opens connections only for borrowers: the lifecycle's refill meets the outage. */
	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void aRefillFailingWhileTheServerIsDownIsLoggedOnceAndKeepsNoUnitWaiting(CapturedOutput output) {
		FaultOutcome outcome = faults.run(PoolUnderTest.TOMCAT, Fault.RESTART, StarterSetup.ON, POOL_SIZE);
		assertThat(outcome.unitsFailed()).as("units failed after the restart").isZero();
		assertThat(output.getOut().split(REFILL_FAILED, -1)).as("warnings that the refill failed").hasSize(2);
	}

	static List<PoolUnderTest> availablePools() {
		return PoolUnderTest.available();
	}

}
