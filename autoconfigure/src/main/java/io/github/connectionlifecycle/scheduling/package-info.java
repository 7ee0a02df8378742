/**
 * The {@code @Scheduled} entry point: one unit of work per run, by advising the scheduled
 * method itself.
 */
@NullMarked
package io.github.connectionlifecycle.scheduling;

import org.jspecify.annotations.NullMarked;
