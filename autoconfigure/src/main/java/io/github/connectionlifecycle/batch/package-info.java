/**
 * The Spring Batch entry point: one unit of work per chunk of a chunk-oriented step and per
 * {@code Tasklet} execution, around the chunk's transaction.
 */
@NullMarked
package io.github.connectionlifecycle.batch;

import org.jspecify.annotations.NullMarked;
