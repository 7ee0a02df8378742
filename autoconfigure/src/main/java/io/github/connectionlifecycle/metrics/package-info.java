/**
 * Micrometer meters of the connection lifecycle: retirements, units of work, the background
 * sweep and the settings in force per DataSource. Counters on the hot path are the
 * lifecycle's own adders, read by the registry when it is scraped.
 */
@NullMarked
package io.github.connectionlifecycle.metrics;

import org.jspecify.annotations.NullMarked;
