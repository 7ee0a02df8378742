package io.github.connectionlifecycle.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkFinishedEvent;
import io.github.connectionlifecycle.work.WorkStartedEvent;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;

import static org.awaitility.Awaitility.await;

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

	/**
	 * Waits until at least {@code count} units have finished.
	 * @return these events
	 */
	public RecordedWorkEvents awaitFinished(int count) {
		await().atMost(Duration.ofSeconds(60)).until(() -> finished().size() >= count);
		return this;
	}

	/** @return the units started so far, in order */
	public List<UnitOfWork> startedUnits() {
		return started().stream().map(WorkStartedEvent::getUnit).toList();
	}

	private <E> List<E> ofType(Class<E> type) {
		return this.events.stream().map(Recorded::event).filter(type::isInstance).map(type::cast).toList();
	}

	public record Recorded(ApplicationEvent event, String thread) {
	}

}
