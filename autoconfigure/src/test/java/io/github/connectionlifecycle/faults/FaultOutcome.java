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
 * @param outageUnitsFailed units run while the server was down that failed (they must),
 * or -1 for faults without such units
 * @param note what else was measured, for the report
 */
record FaultOutcome(int unitsFailed, int recordsLost, int poolWarnings, int validationWarnings,
		@Nullable Duration firstOperation, int outageUnitsFailed, String note) {

}
