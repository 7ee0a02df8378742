/**
 * The public model of JDBC connection cleanup: why connections are retired
 * ({@link io.github.connectionlifecycle.jdbc.RetirementReason}), the event that says so
 * ({@link io.github.connectionlifecycle.jdbc.ConnectionRetiredEvent}), what to retire
 * ({@link io.github.connectionlifecycle.jdbc.CleanupPolicy}) and which SQL leaves a session
 * dirty ({@link io.github.connectionlifecycle.jdbc.SessionStateSqlDetector}). Pool adapters
 * are in {@code jdbc.pool}; the layer that intercepts borrows is in {@code jdbc.interception}.
 */
@NullMarked
package io.github.connectionlifecycle.jdbc;

import org.jspecify.annotations.NullMarked;
