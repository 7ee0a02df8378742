package io.github.connectionlifecycle.faults;

import java.util.List;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connections the server closed while the application idled (a KILL of every session, a
 * restart) are retired by the liveness check before the next unit borrows one, for every
 * pool, starter on with its defaults: no unit fails and the pool warns of nothing. A unit
 * that comes before the check fails at most as often as without the starter. The rows of
 * {@link FaultMatrixReport} give the times.
 */
class LivenessIntegrationTest {

	private static final int POOL_SIZE = 4;

	@AutoClose
	private static final FaultRunner faults = new FaultRunner();

	@ParameterizedTest(name = "{0}")
	@MethodSource("availablePools")
	void aKillWhileIdleFailsNoUnitAndLeavesThePoolNothingToWarnAbout(PoolUnderTest pool) {
		assertNoticedBeforeTheNextUnit(pool, faults.run(pool, Fault.KILL_THEN_QUIET, StarterSetup.ON, POOL_SIZE));
	}

	/** The idle sweep keeps replacing connections: HikariCP hands fresh ones out unvalidated. */
	@ParameterizedTest(name = "{0}")
	@MethodSource("availablePools")
	void aKillWhileTheIdleSweepChurnsFailsNoUnit(PoolUnderTest pool) {
		assertNoticedBeforeTheNextUnit(pool,
				faults.run(pool, Fault.KILL_THEN_QUIET_SHORT_TIMEOUT, StarterSetup.ON, POOL_SIZE));
	}

	@Test
	void aRestartWhileIdleFailsNoUnitOnceTheServerIsBack() {
		assertNoticedBeforeTheNextUnit(PoolUnderTest.HIKARI,
				faults.run(PoolUnderTest.HIKARI, Fault.RESTART_THEN_QUIET, StarterSetup.ON, POOL_SIZE));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("availablePools")
	void aUnitRightAfterAKillFailsAtMostAsOftenAsWithoutTheStarter(PoolUnderTest pool) {
		FaultOutcome without = faults.run(pool, Fault.KILL, StarterSetup.OFF, POOL_SIZE);
		FaultOutcome with = faults.run(pool, Fault.KILL, StarterSetup.ON, POOL_SIZE);
		assertThat(with.unitsFailed()).as("units failed with the starter, without: " + without.unitsFailed())
			.isLessThanOrEqualTo(without.unitsFailed());
	}

	/**
	 * The idle sweep's replacements are younger than HikariCP's 500 ms validation bypass when
	 * the KILL lands: the lifecycle looks up a connection it has not seen handed out before.
	 */
	@Test
	void aUnitRightAfterAKillAmidTheIdleSweepsReplacementsFailsAtMostAsOftenAsWithoutTheStarter() {
		FaultOutcome without = faults.run(PoolUnderTest.HIKARI, Fault.KILL_SHORT_TIMEOUT, StarterSetup.OFF, POOL_SIZE);
		FaultOutcome with = faults.run(PoolUnderTest.HIKARI, Fault.KILL_SHORT_TIMEOUT, StarterSetup.ON, POOL_SIZE);
		assertThat(with.unitsFailed()).as("units failed with the starter, without: " + without.unitsFailed())
			.isLessThanOrEqualTo(without.unitsFailed());
	}

	private static void assertNoticedBeforeTheNextUnit(PoolUnderTest pool, FaultOutcome outcome) {
		assertThat(outcome.unitsFailed()).as("units failed").isZero();
		assertThat(outcome.poolWarnings()).as("pool warnings").isZero();
		// Replaced in the background: by HikariCP itself, by the lifecycle for the others.
		assertThat(outcome.firstUnitOpenedConnection()).as("first unit opened its connection").isFalse();
	}

	static List<PoolUnderTest> availablePools() {
		return PoolUnderTest.available();
	}

}
