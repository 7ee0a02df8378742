/**
 * The unit-of-work model: {@link io.github.connectionlifecycle.work.WorkBoundaries} opens and closes units on the
 * worker thread and publishes the work events; no entry point or JDBC type appears here.
 */
@NullMarked
package io.github.connectionlifecycle.work;

import org.jspecify.annotations.NullMarked;
