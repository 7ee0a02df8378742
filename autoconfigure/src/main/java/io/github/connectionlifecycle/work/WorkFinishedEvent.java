package io.github.connectionlifecycle.work;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * Published on the worker thread right after a unit of work ran, whether it succeeded or
 * failed: the non-web counterpart of Django's {@code request_finished}.
 */
public class WorkFinishedEvent extends ApplicationEvent {

	private final Duration duration;

	private final @Nullable Throwable failure;

	public WorkFinishedEvent(UnitOfWork unit, Duration duration, @Nullable Throwable failure) {
		super(unit);
		this.duration = duration;
		this.failure = failure;
	}

	/**
	 * The unit that ran.
	 * @return the unit of work
	 */
	public UnitOfWork getUnit() {
		return (UnitOfWork) getSource();
	}

	/**
	 * How long the unit took, from its started event to its end.
	 * @return the duration of the unit
	 */
	public Duration getDuration() {
		return this.duration;
	}

	/**
	 * What the unit failed with, if it failed.
	 * @return the failure, or {@code null} when the unit succeeded
	 */
	public @Nullable Throwable getFailure() {
		return this.failure;
	}

	public boolean isFailed() {
		return this.failure != null;
	}

	@Override
	public String toString() {
		return "WorkFinishedEvent[" + getUnit() + ", " + this.duration.toMillis() + " ms"
				+ ((this.failure != null) ? ", failed: " + this.failure.getClass().getName() : "") + "]";
	}

}
