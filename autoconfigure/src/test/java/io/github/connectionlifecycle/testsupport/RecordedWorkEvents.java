package io.github.connectionlifecycle.testsupport;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkFinishedEvent;
import io.github.connectionlifecycle.work.WorkStartedEvent;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;

import static org.assertj.core.api.Assertions.assertThat;
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

	/**
	 * Waits until at least a number of units have finished.
	 * @param count how many
	 * @return this
	 */
	public RecordedWorkEvents awaitFinished(int count) {
		// Units that fail on purpose may end as uncaught exceptions on their threads while this waits:
		// Awaitility would rethrow those here (seen on a loaded machine); their failures are in the events
		await().dontCatchUncaughtExceptions()
			.atMost(Duration.ofSeconds(60))
			.until(() -> finished().size() >= count);
		return this;
	}

	/** @return the units of the started events, in order */
	public List<UnitOfWork> startedUnits() {
		return started().stream().map(WorkStartedEvent::getUnit).toList();
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
	 * Checks that every unit started and finished on one thread, with nothing else of ours
	 * in between there: one started/finished pair per unit.
	 */
	public void assertEachUnitBracketedOnItsThread() {
		Map<String, List<ApplicationEvent>> byThread = this.events.stream()
			.collect(Collectors.groupingBy(Recorded::thread, LinkedHashMap::new,
					Collectors.mapping(Recorded::event, Collectors.toList())));
		byThread.forEach((thread, events) -> {
			assertThat(events.size() % 2).as("events on %s: %s", thread, events).isZero();
			for (int i = 0; i < events.size(); i += 2) {
				ApplicationEvent start = events.get(i);
				ApplicationEvent end = events.get(i + 1);
				assertThat(start).as("event %d on %s", i, thread).isInstanceOf(WorkStartedEvent.class);
				assertThat(end).as("event %d on %s", i + 1, thread).isInstanceOf(WorkFinishedEvent.class);
				assertThat(((WorkFinishedEvent) end).getUnit()).isEqualTo(((WorkStartedEvent) start).getUnit());
			}
		});
	}

	private <E> List<E> ofType(Class<E> type) {
		return this.events.stream().map(Recorded::event).filter(type::isInstance).map(type::cast).toList();
	}

	public record Recorded(ApplicationEvent event, String thread) {
	}

}
