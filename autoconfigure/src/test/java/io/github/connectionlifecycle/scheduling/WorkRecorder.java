package io.github.connectionlifecycle.scheduling;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkFinishedEvent;
import io.github.connectionlifecycle.work.WorkKind;
import io.github.connectionlifecycle.work.WorkStartedEvent;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Records, in the order they happen on each thread, the unit-of-work events and the runs
 * of {@link RecordingJob scheduled jobs}, and checks that every run was bracketed exactly
 * once. Ordered first so that a failing application listener cannot hide events from it.
 */
class WorkRecorder implements ApplicationListener<ApplicationEvent>, Ordered {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final Queue<Entry> entries = new ConcurrentLinkedQueue<>();

	private final ObjectProvider<WorkBoundaries> workBoundaries;

	WorkRecorder(ObjectProvider<WorkBoundaries> workBoundaries) {
		this.workBoundaries = workBoundaries;
	}

	static String unitName(Class<?> jobClass) {
		return ClassUtils.getShortName(jobClass) + ".run";
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if (event instanceof WorkStartedEvent started) {
			record(Step.STARTED, started.getUnit().name(), started.getUnit(), null);
		}
		else if (event instanceof WorkFinishedEvent finished) {
			record(Step.FINISHED, finished.getUnit().name(), finished.getUnit(), finished.getFailure());
		}
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	/**
	 * Records that a job ran, with the unit of work it saw itself in.
	 * @param jobClass the job's class
	 */
	void ran(Class<?> jobClass) {
		WorkBoundaries boundaries = this.workBoundaries.getIfAvailable();
		record(Step.RAN, unitName(jobClass), (boundaries != null) ? boundaries.currentUnit() : null, null);
	}

	private void record(Step step, String name, @Nullable UnitOfWork unit, @Nullable Throwable failure) {
		this.entries.add(new Entry(step, name, unit, Thread.currentThread().getName(), failure));
	}

	/**
	 * Waits for a job to complete runs, then checks that each of them, on each thread, was
	 * exactly started, ran, finished, all on a thread of the expected scheduler.
	 * @param jobClass the job's class
	 * @param runs how many complete runs to wait for
	 * @param threadNamePrefix the thread name prefix of the scheduler expected to run it
	 * @return the finished entries of the job, in order
	 */
	List<Entry> awaitBracketedRuns(Class<?> jobClass, int runs, String threadNamePrefix) {
		String name = unitName(jobClass);
		await().atMost(TIMEOUT).until(() -> finished(name).size() >= runs);
		Map<String, List<Entry>> byThread = entriesOf(name).stream()
			.collect(Collectors.groupingBy(Entry::thread, LinkedHashMap::new, Collectors.toList()));
		byThread.forEach((thread, onThread) -> {
			assertThat(thread).startsWith(threadNamePrefix);
			String steps = onThread.stream().map((entry) -> entry.step().letter).collect(Collectors.joining());
			assertThat(steps).as("started/ran/finished on %s", thread).matches("(SRF)*(S|SR)?");
			assertThat(onThread).allSatisfy((entry) -> assertThat(entry.unit())
				.isEqualTo(new UnitOfWork(WorkKind.SCHEDULED, name)));
		});
		return finished(name);
	}

	/**
	 * Waits for a job to run a number of times, whether or not in a unit of work.
	 * @param jobClass the job's class
	 * @param runs how many runs to wait for
	 * @return the run entries of the job, in order
	 */
	List<Entry> awaitRuns(Class<?> jobClass, int runs) {
		String name = unitName(jobClass);
		await().atMost(TIMEOUT).until(() -> ofStep(name, Step.RAN).size() >= runs);
		return ofStep(name, Step.RAN);
	}

	List<Entry> all() {
		return new ArrayList<>(this.entries);
	}

	private List<Entry> finished(String name) {
		return ofStep(name, Step.FINISHED);
	}

	private List<Entry> ofStep(String name, Step step) {
		return entriesOf(name).stream().filter((entry) -> entry.step() == step).toList();
	}

	private List<Entry> entriesOf(String name) {
		return this.entries.stream().filter((entry) -> Objects.equals(entry.name(), name)).toList();
	}

	enum Step {

		STARTED("S"), RAN("R"), FINISHED("F");

		private final String letter;

		Step(String letter) {
			this.letter = letter;
		}

	}

	/**
	 * One thing that happened on a thread.
	 *
	 * @param step what happened
	 * @param name the unit name of the event, or of the job that ran
	 * @param unit the unit of the event, or the unit the job saw itself in
	 * @param thread the thread's name
	 * @param failure the failure of a finished unit
	 */
	record Entry(Step step, String name, @Nullable UnitOfWork unit, String thread, @Nullable Throwable failure) {
	}

	/**
	 * A scheduled job that records its runs.
	 */
	abstract static class RecordingJob {

		private final WorkRecorder recorder;

		RecordingJob(WorkRecorder recorder) {
			this.recorder = recorder;
		}

		protected void ran() {
			this.recorder.ran(getClass());
		}

	}

}
