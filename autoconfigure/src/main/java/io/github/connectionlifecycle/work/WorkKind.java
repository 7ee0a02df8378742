package io.github.connectionlifecycle.work;

/**
 * What kind of non-web work a {@link UnitOfWork} is.
 */
public enum WorkKind {

	/** One delivery attempt of one record to a record listener. */
	KAFKA_RECORD,

	/** One delivery attempt of one batch to a batch listener. */
	KAFKA_BATCH,

	/** One run of a {@code @Scheduled} method. */
	SCHEDULED,

	/**
	 * One task run by a task executor: an {@code @Async} method call or a task submitted to
	 * the executor.
	 */
	ASYNC_TASK,

	/** A block the application runs itself through {@link WorkBoundaries}. */
	PROGRAMMATIC

}
