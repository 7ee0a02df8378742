package io.github.connectionlifecycle.faults;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * What one fault did to the application, for one pool with the starter on or off.
 *
 * @param unitsFailed units of work that failed after the fault was over (for the
 * concurrency fault: delivery attempts and scheduled runs that failed, retries included)
 * @param recordsLost records whose row is missing at the end
 * @param poolWarnings warnings the pool logged
 * @param validationWarnings of those, HikariCP's "Failed to validate connection"
 * @param firstOperation how long the first unit after the fault took, or {@code null} where
 * there is no single first unit
 * @param steadyOperation the median of the units after the first, or {@code null}
 * @param firstUnitOpenedConnection whether the first unit's connection was opened while it ran
 * (a reconnect on its critical path)
 * @param maxSessions the most sessions the application held on the server at once, sampled,
 * or -1 where not sampled
 * @param outageUnitsFailed units run while the server was down that failed (they must),
 * or -1 for faults without such units
 * @param note what else was measured, for the report
 */
record FaultOutcome(int unitsFailed, int recordsLost, int poolWarnings, int validationWarnings,
		@Nullable Duration firstOperation, @Nullable Duration steadyOperation, boolean firstUnitOpenedConnection,
		int maxSessions, int outageUnitsFailed, String note) {

}
