package io.github.connectionlifecycle.work;

/**
 * An open unit of work on the current thread, returned by {@link WorkBoundaries#open}.
 * Closing it ends the unit; closing it again, or closing a scope that was opened inside
 * another unit, does nothing.
 */
public interface WorkScope extends AutoCloseable {

	/**
	 * Records what the unit failed with, to be reported when it is closed.
	 * @param failure the failure
	 */
	void fail(Throwable failure);

	/**
	 * Ends the unit. Never throws.
	 */
	@Override
	void close();

	/**
	 * Whether this scope opened the outermost unit on its thread, that is whether closing it
	 * publishes a {@link WorkFinishedEvent}.
	 * @return {@code true} for the outermost unit, {@code false} for a nested one
	 */
	boolean isOutermost();

}
