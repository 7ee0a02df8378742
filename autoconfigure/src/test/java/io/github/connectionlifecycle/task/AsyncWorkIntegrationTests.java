package io.github.connectionlifecycle.task;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.TaskConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.RecordedWorkEvents;
import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkFinishedEvent;
import io.github.connectionlifecycle.work.WorkKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Every task run by Spring Boot's {@code applicationTaskExecutor}, {@code @Async} method
 * calls included, is one unit of work on the thread that runs it.
 */
class AsyncWorkIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, TaskConnectionLifecycleAutoConfiguration.class))
		.withUserConfiguration(AsyncConfiguration.class)
		.withBean(RecordedWorkEvents.class)
		.withBean(AsyncService.class);

	@Test
	void eachAsyncCallIsOneUnitOnAnExecutorThread() {
		this.contextRunner.run((context) -> {
			AsyncService service = context.getBean(AsyncService.class);
			for (int i = 0; i < 3; i++) {
				service.work();
			}
			RecordedWorkEvents events = awaitFinished(context, 3);
			assertThat(events.started()).extracting((started) -> started.getUnit().kind())
				.containsOnly(WorkKind.ASYNC_TASK);
			assertThat(events.finished()).extracting(WorkFinishedEvent::getFailure).containsOnlyNulls();
			assertThat(events.all()).extracting(RecordedWorkEvents.Recorded::thread)
				.allSatisfy((thread) -> assertThat(thread).startsWith("task-"));
			events.assertEachUnitBracketedOnItsThread();
			assertThat(service.unitsSeen()).containsExactlyInAnyOrderElementsOf(events.startedUnits());
		});
	}

	@Test
	void failureOfATaskIsCarriedOnItsFinishedEventAndStillReachesTheCaller() {
		this.contextRunner.run((context) -> {
			AsyncTaskExecutor executor = context.getBean("applicationTaskExecutor", AsyncTaskExecutor.class);
			IllegalStateException submitted = new IllegalStateException("submitted task failed");
			Future<?> future = executor.submit(() -> {
				throw submitted;
			});
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> future.get(30, TimeUnit.SECONDS))
				.withCause(submitted);
			IllegalStateException executed = new IllegalStateException("executed task failed");
			executor.execute(() -> {
				throw executed;
			});
			Future<String> asyncResult = context.getBean(AsyncService.class).fail();
			assertThatExceptionOfType(ExecutionException.class)
				.isThrownBy(() -> asyncResult.get(30, TimeUnit.SECONDS))
				.withRootCauseInstanceOf(IllegalStateException.class)
				.withMessageContaining("async method failed");
			RecordedWorkEvents events = awaitFinished(context, 3);
			assertThat(events.finished()).extracting(WorkFinishedEvent::getFailure)
				.contains(submitted, executed)
				.anySatisfy((failure) -> assertThat(failure).hasMessage("async method failed"));
			events.assertEachUnitBracketedOnItsThread();
		});
	}

	@Test
	void userTaskDecoratorsStillDecorateAndRunInsideTheUnit() {
		this.contextRunner.withBean("firstDecorator", RecordingDecorator.class)
			.withBean("secondDecorator", RecordingDecorator.class)
			.run((context) -> {
				context.getBean(AsyncService.class).work();
				RecordedWorkEvents events = awaitFinished(context, 1);
				for (RecordingDecorator decorator : context.getBeansOfType(RecordingDecorator.class).values()) {
					assertThat(decorator.unitsSeen).containsExactlyElementsOf(events.startedUnits());
				}
			});
	}

	@Test
	void taskSubmittedFromInsideAUnitRunsAsItsOwnUnitOnItsOwnThread() {
		this.contextRunner.run((context) -> {
			AsyncService service = context.getBean(AsyncService.class);
			WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
			String caller = Thread.currentThread().getName();
			boundaries.call("outer", () -> service.nestedWork().get(30, TimeUnit.SECONDS));
			RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class);
			await().atMost(TIMEOUT).until(() -> events.finished().size() == 2);
			assertThat(events.started()).extracting((started) -> started.getUnit().kind())
				.containsExactly(WorkKind.PROGRAMMATIC, WorkKind.ASYNC_TASK);
			assertThat(events.all()).filteredOn((recorded) -> recorded.thread().equals(caller)).hasSize(2);
			events.assertEachUnitBracketedOnItsThread();
			// WorkBoundaries.run inside the task joined the task's unit.
			assertThat(service.unitsSeen()).singleElement()
				.satisfies((unit) -> assertThat(unit.kind()).isEqualTo(WorkKind.ASYNC_TASK));
		});
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void eachAsyncCallOnBootsVirtualThreadExecutorIsOneUnit() {
		this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=true").run((context) -> {
			assertThat(context.getBean("applicationTaskExecutor")).isInstanceOf(SimpleAsyncTaskExecutor.class);
			AsyncService service = context.getBean(AsyncService.class);
			service.work();
			service.work();
			RecordedWorkEvents events = awaitFinished(context, 2);
			events.assertEachUnitBracketedOnItsThread();
			assertThat(service.unitsSeen()).containsExactlyInAnyOrderElementsOf(events.startedUnits());
		});
	}

	@Test
	void withTheEntryPointOffTasksRunWithoutUnits() {
		this.contextRunner.withPropertyValues("connection.async.enabled=false").run((context) -> {
			AsyncService service = context.getBean(AsyncService.class);
			service.work();
			await().atMost(TIMEOUT).until(() -> service.runs() == 1);
			assertThat(service.unitsSeen()).isEmpty();
			assertThat(context.getBean(RecordedWorkEvents.class).all()).isEmpty();
		});
	}

	private static RecordedWorkEvents awaitFinished(AssertableApplicationContext context, int count) {
		return context.getBean(RecordedWorkEvents.class).awaitFinished(count);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class AsyncConfiguration {

	}

	static class AsyncService {

		private final Queue<UnitOfWork> unitsSeen = new ConcurrentLinkedQueue<>();

		private final Queue<String> runs = new ConcurrentLinkedQueue<>();

		private final ObjectProvider<WorkBoundaries> workBoundaries;

		AsyncService(ObjectProvider<WorkBoundaries> workBoundaries) {
			this.workBoundaries = workBoundaries;
		}

		@Async
		public void work() {
			recordRun();
		}

		@Async
		public CompletableFuture<Void> nestedWork() {
			this.workBoundaries.getObject().run("nested", this::recordRun);
			return CompletableFuture.completedFuture(null);
		}

		@Async
		public Future<String> fail() {
			throw new IllegalStateException("async method failed");
		}

		// Read through the proxy, which forwards to the service itself.
		public List<UnitOfWork> unitsSeen() {
			return List.copyOf(this.unitsSeen);
		}

		public int runs() {
			return this.runs.size();
		}

		private void recordRun() {
			this.runs.add(Thread.currentThread().getName());
			WorkBoundaries boundaries = this.workBoundaries.getIfAvailable();
			UnitOfWork unit = (boundaries != null) ? boundaries.currentUnit() : null;
			if (unit != null) {
				this.unitsSeen.add(unit);
			}
		}

	}

	static class RecordingDecorator implements TaskDecorator {

		final Queue<UnitOfWork> unitsSeen = new ConcurrentLinkedQueue<>();

		private final ObjectProvider<WorkBoundaries> workBoundaries;

		RecordingDecorator(ObjectProvider<WorkBoundaries> workBoundaries) {
			this.workBoundaries = workBoundaries;
		}

		@Override
		public Runnable decorate(Runnable task) {
			return () -> {
				UnitOfWork unit = this.workBoundaries.getObject().currentUnit();
				if (unit != null) {
					this.unitsSeen.add(unit);
				}
				task.run();
			};
		}

	}

}
