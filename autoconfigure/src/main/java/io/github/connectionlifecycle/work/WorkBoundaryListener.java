package io.github.connectionlifecycle.work;

import org.jspecify.annotations.Nullable;

/**
 * Called by {@link WorkBoundaries} around every outermost unit of work, before the
 * {@link WorkStartedEvent} is published and after the {@link WorkFinishedEvent} is
 * published, so that infrastructure such as connection cleanup brackets whatever
 * application listeners do. Listeners are called in {@link org.springframework.core.Ordered
 * order} when work starts and in reverse order when it finishes. A listener that throws is
 * logged and counted; the others still run and the caller never sees the exception.
 * <p>
 * Unlike the events, these calls allocate nothing: they are meant for infrastructure on
 * the hot path of every unit.
 */
public interface WorkBoundaryListener {

	/**
	 * A unit of work is about to run on the current thread.
	 * @param unit the unit
	 */
	default void workStarted(UnitOfWork unit) {
	}

	/**
	 * A unit of work has run on the current thread.
	 * @param unit the unit
	 * @param failure what it failed with, or {@code null} when it succeeded
	 */
	default void workFinished(UnitOfWork unit, @Nullable Throwable failure) {
	}

}
