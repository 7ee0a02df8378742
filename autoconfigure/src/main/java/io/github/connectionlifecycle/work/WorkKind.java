package io.github.connectionlifecycle.work;

/**
 * What kind of non-web work a {@link UnitOfWork} is.
 */
public enum WorkKind {

	/** One delivery attempt of one record to a record listener. */
	KAFKA_RECORD,

	/** One delivery attempt of one batch to a batch listener. */
	KAFKA_BATCH,

	/**
	 * One delivery attempt of one RabbitMQ message to a record listener
	 * ({@code @RabbitListener} or a listener container's {@code MessageListener}).
	 */
	RABBIT_MESSAGE,

	/** One delivery attempt of a batch of RabbitMQ messages to a batch listener. */
	RABBIT_BATCH,

	/** One delivery of one JMS message to a {@code @JmsListener} or a container's listener. */
	JMS_MESSAGE,

	/** One run of a {@code @Scheduled} method. */
	SCHEDULED,

	/**
	 * One task run by a task executor: an {@code @Async} method call or a task submitted to
	 * the executor.
	 */
	ASYNC_TASK,

	/**
	 * One chunk of a Spring Batch chunk-oriented step: reading, processing and writing its
	 * items in the chunk's transaction.
	 */
	BATCH_CHUNK,

	/** One execution of a Spring Batch {@code Tasklet}, in its transaction. */
	BATCH_TASKLET,

	/** A block the application runs itself through {@link WorkBoundaries}. */
	PROGRAMMATIC

}
