package io.github.connectionlifecycle.batch;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.connectionlifecycle.autoconfigure.BatchConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.RecordedWorkEvents;
import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkFinishedEvent;
import io.github.connectionlifecycle.work.WorkKind;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.listener.ChunkListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.StepInterruptionPolicy;
import org.springframework.batch.core.step.ThreadStepInterruptionPolicy;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.support.ListItemReader;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.batch.autoconfigure.BatchAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every chunk of a chunk-oriented step, and every execution of a tasklet, is one unit of
 * work on the thread that runs the step, around the chunk's transaction; what the
 * application configured on the step still runs.
 */
class BatchWorkIntegrationTests {

	/** Five items in chunks of two: chunks of 2, 2 and 1. */
	static final List<String> ITEMS = List.of("a", "b", "c", "d", "e");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(BatchAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, BatchConnectionLifecycleAutoConfiguration.class))
		.withUserConfiguration(Jobs.class)
		.withBean(RecordedWorkEvents.class);

	@Test
	void eachChunkIsOneUnitOnTheStepThreadAndUserListenersAndPolicyStillRun() {
		this.contextRunner.run((context) -> {
			assertThat(launch(context, "chunkJob").getStatus()).isEqualTo(BatchStatus.COMPLETED);
			Jobs jobs = context.getBean(Jobs.class);
			RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class);
			assertThat(events.started()).hasSize(3)
				.allSatisfy((started) -> assertThat(started.getUnit())
					.isEqualTo(new UnitOfWork(WorkKind.BATCH_CHUNK, "chunkJob.chunkStep")));
			assertThat(events.finished()).hasSize(3).extracting(WorkFinishedEvent::getFailure).containsOnlyNulls();
			assertThat(events.all()).extracting(RecordedWorkEvents.Recorded::thread)
				.containsOnly(Thread.currentThread().getName());
			events.assertEachUnitBracketedOnItsThread();
			assertThat(jobs.chunksWritten).containsExactly(List.of("a", "b"), List.of("c", "d"), List.of("e"));
			assertThat(jobs.unitsSeenByWriter).hasSize(3).doesNotContainNull();
			assertThat(jobs.unitsSeenByChunkListener).hasSize(3).doesNotContainNull();
			assertThat(jobs.interruptionChecks).hasValueGreaterThanOrEqualTo(3);
		});
	}

	@Test
	void failedChunkFinishesItsUnitWithTheFailure() {
		this.contextRunner.run((context) -> {
			assertThat(launch(context, "failingJob").getStatus()).isEqualTo(BatchStatus.FAILED);
			List<WorkFinishedEvent> finished = context.getBean(RecordedWorkEvents.class).finished();
			assertThat(finished).hasSize(2);
			assertThat(finished.get(0).getFailure()).isNull();
			assertThat(finished.get(1).getFailure()).isInstanceOf(IllegalStateException.class)
				.hasMessage("writer failed on [c, d]");
		});
	}

	@Test
	void eachTaskletExecutionIsOneUnit() {
		this.contextRunner.run((context) -> {
			assertThat(launch(context, "taskletJob").getStatus()).isEqualTo(BatchStatus.COMPLETED);
			RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class);
			assertThat(events.started()).hasSize(3)
				.allSatisfy((started) -> assertThat(started.getUnit())
					.isEqualTo(new UnitOfWork(WorkKind.BATCH_TASKLET, "taskletJob.taskletStep")));
			events.assertEachUnitBracketedOnItsThread();
			assertThat(context.getBean(Jobs.class).unitsSeenByTasklet).hasSize(3).doesNotContainNull();
		});
	}

	@Test
	void taskletExecutionAfterOneThatFailedAndWasForgivenIsStillOneUnit() {
		this.contextRunner.run((context) -> {
			assertThat(launch(context, "forgivingTaskletJob").getStatus()).isEqualTo(BatchStatus.COMPLETED);
			RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class);
			assertThat(events.started()).hasSize(3);
			events.assertEachUnitBracketedOnItsThread();
			assertThat(context.getBean(Jobs.class).unitsSeenByTasklet).hasSize(3).doesNotContainNull();
		});
	}

	@Test
	void withTheEntryPointOffChunksRunWithoutUnits() {
		this.contextRunner.withPropertyValues("connection.batch.enabled=false").run((context) -> {
			assertThat(launch(context, "chunkJob").getStatus()).isEqualTo(BatchStatus.COMPLETED);
			assertThat(context.getBean(Jobs.class).chunksWritten).hasSize(3);
			assertThat(context.getBean(RecordedWorkEvents.class).all()).isEmpty();
		});
	}

	static JobExecution launch(AssertableApplicationContext context, String jobName) throws Exception {
		return context.getBean(JobOperator.class)
			.start(context.getBean(jobName, Job.class),
					new JobParametersBuilder().addLong("run", System.nanoTime()).toJobParameters());
	}

	/**
	 * Jobs whose steps are built inline, as applications often do: they are no beans.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Jobs {

		final Queue<List<String>> chunksWritten = new ConcurrentLinkedQueue<>();

		final List<@Nullable UnitOfWork> unitsSeenByWriter = new CopyOnWriteArrayList<>();

		final List<@Nullable UnitOfWork> unitsSeenByChunkListener = new CopyOnWriteArrayList<>();

		final List<@Nullable UnitOfWork> unitsSeenByTasklet = new CopyOnWriteArrayList<>();

		final AtomicInteger interruptionChecks = new AtomicInteger();

		private final ObjectProvider<WorkBoundaries> workBoundaries;

		Jobs(ObjectProvider<WorkBoundaries> workBoundaries) {
			this.workBoundaries = workBoundaries;
		}

		@Bean
		Job chunkJob(JobRepository jobRepository) {
			StepInterruptionPolicy ownPolicy = new ThreadStepInterruptionPolicy() {

				@Override
				public void checkInterrupted(StepExecution stepExecution) {
					Jobs.this.interruptionChecks.incrementAndGet();
				}

			};
			return new JobBuilder("chunkJob", jobRepository)
				.start(new StepBuilder("chunkStep", jobRepository).<String, String>chunk(2)
					.reader(new ListItemReader<>(ITEMS))
					.writer((chunk) -> {
						this.unitsSeenByWriter.add(currentUnit());
						this.chunksWritten.add(List.copyOf(chunk.getItems()));
					})
					.listener(new ChunkListener<String, String>() {

						@Override
						public void beforeChunk(Chunk<String> chunk) {
							Jobs.this.unitsSeenByChunkListener.add(currentUnit());
						}

					})
					.interruptionPolicy(ownPolicy)
					.build())
				.build();
		}

		@Bean
		Job failingJob(JobRepository jobRepository) {
			return new JobBuilder("failingJob", jobRepository)
				.start(new StepBuilder("failingStep", jobRepository).<String, String>chunk(2)
					.reader(new ListItemReader<>(ITEMS))
					.writer((chunk) -> {
						if (chunk.getItems().contains("c")) {
							throw new IllegalStateException("writer failed on " + chunk.getItems());
						}
					})
					.build())
				.build();
		}

		@Bean
		Job taskletJob(JobRepository jobRepository) {
			AtomicInteger executions = new AtomicInteger();
			return new JobBuilder("taskletJob", jobRepository)
				.start(new StepBuilder("taskletStep", jobRepository).tasklet((contribution, chunkContext) -> {
					this.unitsSeenByTasklet.add(currentUnit());
					return (executions.incrementAndGet() < 3) ? RepeatStatus.CONTINUABLE : RepeatStatus.FINISHED;
				}).build())
				.build();
		}

		/** Its second execution fails, and the step's exception handler lets it go on. */
		@Bean
		Job forgivingTaskletJob(JobRepository jobRepository) {
			AtomicInteger executions = new AtomicInteger();
			return new JobBuilder("forgivingTaskletJob", jobRepository)
				.start(new StepBuilder("forgivingTaskletStep", jobRepository).tasklet((contribution, chunkContext) -> {
					this.unitsSeenByTasklet.add(currentUnit());
					int execution = executions.incrementAndGet();
					if (execution == 2) {
						throw new IllegalStateException("tasklet failed");
					}
					return (execution < 3) ? RepeatStatus.CONTINUABLE : RepeatStatus.FINISHED;
				}).exceptionHandler((repeatContext, failure) -> {
				}).build())
				.build();
		}

		private @Nullable UnitOfWork currentUnit() {
			WorkBoundaries boundaries = this.workBoundaries.getIfAvailable();
			return (boundaries != null) ? boundaries.currentUnit() : null;
		}

	}

}
