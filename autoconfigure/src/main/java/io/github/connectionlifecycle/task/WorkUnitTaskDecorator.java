package io.github.connectionlifecycle.task;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkKind;
import io.github.connectionlifecycle.work.WorkScope;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.task.TaskDecorator;

/**
 * Runs each task as one unit of work of kind {@link WorkKind#ASYNC_TASK} on the thread that
 * runs it, named after that thread. The decorator configured before this one still
 * decorates the task, and runs inside the unit, so its thread state is in place when the
 * task borrows connections. A task submitted from inside a unit runs as its own unit on its
 * own thread; one that runs on the submitting thread (a caller-runs rejection policy) is
 * part of the unit open there.
 * <p>
 * The unit fails with what the task threw, or, for a {@link Future} task ({@code submit},
 * {@code @Async} methods returning a {@code Future}), with what it completed with. Nothing
 * of ours ever reaches the executor.
 */
public final class WorkUnitTaskDecorator implements TaskDecorator {

	private static final Log logger = LogFactory.getLog(WorkUnitTaskDecorator.class);

	private final Supplier<@Nullable WorkBoundaries> workBoundaries;

	private final @Nullable TaskDecorator delegate;

	/**
	 * Creates a decorator.
	 * @param workBoundaries supplies the boundaries when a task starts, or {@code null} when
	 * there are none (the task then runs as if it were not decorated)
	 * @param delegate the decorator the application configured, if any
	 */
	public WorkUnitTaskDecorator(Supplier<@Nullable WorkBoundaries> workBoundaries, @Nullable TaskDecorator delegate) {
		this.workBoundaries = workBoundaries;
		this.delegate = delegate;
	}

	@Override
	public Runnable decorate(Runnable task) {
		Runnable decorated = (this.delegate != null) ? this.delegate.decorate(task) : task;
		return () -> runAsUnit(task, decorated);
	}

	private void runAsUnit(Runnable task, Runnable decorated) {
		WorkScope scope = open();
		if (scope == null) {
			decorated.run();
			return;
		}
		try (scope) {
			try {
				decorated.run();
			}
			catch (RuntimeException | Error ex) {
				scope.fail(ex);
				throw ex;
			}
			if (task instanceof Future<?> future) {
				failWithOutcome(scope, future);
			}
		}
	}

	private @Nullable WorkScope open() {
		try {
			WorkBoundaries boundaries = this.workBoundaries.get();
			return (boundaries != null)
					? boundaries.open(UnitOfWork.of(WorkKind.ASYNC_TASK, Thread.currentThread(), Thread::getName))
					: null;
		}
		catch (RuntimeException ex) {
			// For instance a task that starts while the context is closing: the task still runs.
			logger.warn("Could not open a unit of work; this task has no boundaries", ex);
			return null;
		}
	}

	/** A future task keeps what it threw to itself; it is done by now, so get() does not wait. */
	private static void failWithOutcome(WorkScope scope, Future<?> future) {
		if (!future.isDone() || future.isCancelled()) {
			return;
		}
		try {
			future.get();
		}
		catch (ExecutionException ex) {
			scope.fail((ex.getCause() != null) ? ex.getCause() : ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
