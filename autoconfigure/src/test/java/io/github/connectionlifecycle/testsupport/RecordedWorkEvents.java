package io.github.connectionlifecycle.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.connectionlifecycle.work.WorkFinishedEvent;
import io.github.connectionlifecycle.work.WorkStartedEvent;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;

/**
 * Records every unit-of-work event with the thread it was published on.
 */
public class RecordedWorkEvents implements ApplicationListener<ApplicationEvent> {

	private final List<Recorded> events = new CopyOnWriteArrayList<>();

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if (event instanceof WorkStartedEvent || event instanceof WorkFinishedEvent) {
			this.events.add(new Recorded(event, Thread.currentThread().getName()));
		}
	}

	public List<Recorded> all() {
		return List.copyOf(this.events);
	}

	public List<WorkStartedEvent> started() {
		return ofType(WorkStartedEvent.class);
	}

	public List<WorkFinishedEvent> finished() {
		return ofType(WorkFinishedEvent.class);
	}

	private <E> List<E> ofType(Class<E> type) {
		return this.events.stream().map(Recorded::event).filter(type::isInstance).map(type::cast).toList();
	}

	public record Recorded(ApplicationEvent event, String thread) {
	}

}
