/**
 * The task entry point: one unit of work per task run by Spring Boot's task executors
 * ({@code @Async} methods and tasks submitted to {@code applicationTaskExecutor}), composed
 * with the application's own task decorators.
 */
@NullMarked
package io.github.connectionlifecycle.task;

import org.jspecify.annotations.NullMarked;
