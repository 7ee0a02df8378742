package io.github.connectionlifecycle.work;

/**
 * Called by {@link WorkBoundaries} around every outermost unit of work, before the
 * {@link WorkStartedEvent} is published and after the {@link WorkFinishedEvent} is
 * published, so that infrastructure such as connection cleanup brackets whatever
 * application listeners do. Listeners are called in {@link org.springframework.core.Ordered
 * order} when work starts and in reverse order when it finishes. A listener that throws is
 * logged and counted; the others still run and the caller never sees the exception.
 */
public interface WorkBoundaryListener {

	default void workStarted(WorkStartedEvent event) {
	}

	default void workFinished(WorkFinishedEvent event) {
	}

}
