package io.github.connectionlifecycle.work;

import org.springframework.context.ApplicationEvent;

/**
 * Published on the worker thread right before a unit of work runs: the non-web
 * counterpart of Django's {@code request_started}.
 */
public class WorkStartedEvent extends ApplicationEvent {

	public WorkStartedEvent(UnitOfWork unit) {
		super(unit);
	}

	/**
	 * The unit that is about to run.
	 * @return the unit of work
	 */
	public UnitOfWork getUnit() {
		return (UnitOfWork) getSource();
	}

	@Override
	public String toString() {
		return "WorkStartedEvent[" + getUnit() + "]";
	}

}
