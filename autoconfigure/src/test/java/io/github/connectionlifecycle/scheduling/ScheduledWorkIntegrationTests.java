package io.github.connectionlifecycle.scheduling;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.SchedulingConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.scheduling.WorkRecorder.Entry;
import io.github.connectionlifecycle.scheduling.WorkRecorder.RecordingJob;
import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkKind;
import io.github.connectionlifecycle.work.WorkStartedEvent;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.autoproxy.BeanNameAutoProxyCreator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.task.ThreadPoolTaskSchedulerCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.SimpleAsyncTaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code @Scheduled} run is one unit of work on the thread that runs it, for every
 * kind of trigger and every kind of scheduler.
 */
@ExtendWith(OutputCaptureExtension.class)
class ScheduledWorkIntegrationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TaskSchedulingAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, SchedulingConnectionLifecycleAutoConfiguration.class))
		.withUserConfiguration(SchedulingConfiguration.class);

	@Test
	void fixedDelayFixedRateAndCronRunsAreBracketedOnBootsScheduler() {
		this.contextRunner.withBean(FixedDelayJob.class).withBean(FixedRateJob.class).withBean(CronJob.class)
			.withPropertyValues("spring.task.scheduling.pool.size=3")
			.run((context) -> {
				WorkRecorder recorder = context.getBean(WorkRecorder.class);
				recorder.awaitBracketedRuns(FixedDelayJob.class, 3, "scheduling-");
				recorder.awaitBracketedRuns(FixedRateJob.class, 3, "scheduling-");
				recorder.awaitBracketedRuns(CronJob.class, 2, "scheduling-");
			});
	}

	@Test
	void failedRunFinishesWithItsFailureWhichStillReachesTheSchedulersErrorHandler() {
		Queue<Throwable> handledErrors = new ConcurrentLinkedQueue<>();
		this.contextRunner.withBean(FailingJob.class)
			.withBean(ThreadPoolTaskSchedulerCustomizer.class,
					() -> (scheduler) -> scheduler.setErrorHandler(handledErrors::add))
			.run((context) -> {
				List<Entry> finished = context.getBean(WorkRecorder.class)
					.awaitBracketedRuns(FailingJob.class, 2, "scheduling-");
				FailingJob job = context.getBean(FailingJob.class);
				// Read through the proxy, which forwards to the job itself.
				List<RuntimeException> thrown = job.thrown();
				assertThat(finished).map(Entry::failure).containsExactlyElementsOf(thrown.subList(0, finished.size()));
				assertThat(handledErrors).first().isSameAs(thrown.get(0));
			});
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void runsOnBootsVirtualThreadSchedulerAreBracketed() {
		this.contextRunner.withBean(FixedDelayJob.class).withBean(CronJob.class)
			.withPropertyValues("spring.threads.virtual.enabled=true")
			.run((context) -> {
				assertThat(context).getBean(TaskScheduler.class).isInstanceOf(SimpleAsyncTaskScheduler.class);
				WorkRecorder recorder = context.getBean(WorkRecorder.class);
				recorder.awaitBracketedRuns(FixedDelayJob.class, 3, "scheduling-");
				recorder.awaitBracketedRuns(CronJob.class, 2, "scheduling-");
			});
	}

	@Test
	void runsOnUserDefinedSimpleAsyncTaskSchedulerAreBracketed() {
		this.contextRunner.withBean(FixedDelayJob.class).withBean(FixedRateJob.class)
			.withBean("taskScheduler", SimpleAsyncTaskScheduler.class, () -> {
				SimpleAsyncTaskScheduler scheduler = new SimpleAsyncTaskScheduler();
				scheduler.setThreadNamePrefix("user-scheduler-");
				return scheduler;
			})
			.run((context) -> {
				WorkRecorder recorder = context.getBean(WorkRecorder.class);
				recorder.awaitBracketedRuns(FixedDelayJob.class, 3, "user-scheduler-");
				recorder.awaitBracketedRuns(FixedRateJob.class, 3, "user-scheduler-");
			});
	}

	@Test
	void schedulerAttributeStillRoutesRunsToTheNamedScheduler() {
		this.contextRunner.withBean(FixedDelayJob.class).withBean(RoutedJob.class)
			.withBean("taskScheduler", ThreadPoolTaskScheduler.class, () -> threadPoolScheduler("default-scheduler-"))
			.withBean("otherScheduler", ThreadPoolTaskScheduler.class, () -> threadPoolScheduler("other-scheduler-"))
			.run((context) -> {
				WorkRecorder recorder = context.getBean(WorkRecorder.class);
				recorder.awaitBracketedRuns(RoutedJob.class, 3, "other-scheduler-");
				recorder.awaitBracketedRuns(FixedDelayJob.class, 3, "default-scheduler-");
			});
	}

	@Test
	void workBoundariesRunInsideAScheduledMethodFiresNothingExtra() {
		this.contextRunner.withBean(NestingJob.class).run((context) -> {
			WorkRecorder recorder = context.getBean(WorkRecorder.class);
			recorder.awaitBracketedRuns(NestingJob.class, 3, "scheduling-");
			assertThat(recorder.all()).extracting(Entry::unit)
				.noneMatch((unit) -> unit != null && unit.kind() == WorkKind.PROGRAMMATIC);
		});
	}

	@Test
	void failingWorkStartedListenerDoesNotStopRuns() {
		this.contextRunner.withBean(FixedDelayJob.class)
			.withBean(FailingStartedListener.class)
			.run((context) -> {
				context.getBean(WorkRecorder.class).awaitBracketedRuns(FixedDelayJob.class, 3, "scheduling-");
				assertThat(context.getBean(WorkBoundaries.class).getListenerFailureCount()).isPositive();
			});
	}

	@Test
	void beanThatIsAlreadyAProxyGetsOurAdvisorOutsideItsOwn() {
		this.contextRunner.withUserConfiguration(AlreadyProxiedConfiguration.class).run((context) -> {
			context.getBean(WorkRecorder.class).awaitBracketedRuns(FixedDelayJob.class, 3, "scheduling-");
			Advised proxy = (Advised) context.getBean(FixedDelayJob.class);
			assertThat(proxy.getAdvisors()).hasSize(2);
			assertThat(proxy.getAdvisors()[0].getAdvice()).isInstanceOf(ScheduledWorkInterceptor.class);
			AlreadyProxiedConfiguration configuration = context.getBean(AlreadyProxiedConfiguration.class);
			assertThat(configuration.unitsSeenByOwnInterceptor).isNotEmpty()
				.allSatisfy((unit) -> assertThat(unit).isEqualTo(
						new UnitOfWork(WorkKind.SCHEDULED, WorkRecorder.unitName(FixedDelayJob.class))));
		});
	}

	@Test
	void unadvisableScheduledMethodsStillRunAndAreReported(CapturedOutput output) {
		this.contextRunner.withBean(FinalJob.class).withBean(PrivateMethodJob.class).run((context) -> {
			WorkRecorder recorder = context.getBean(WorkRecorder.class);
			assertThat(recorder.awaitRuns(FinalJob.class, 2)).extracting(Entry::unit).containsOnlyNulls();
			assertThat(recorder.awaitRuns(PrivateMethodJob.class, 2)).extracting(Entry::unit).containsOnlyNulls();
			assertThat(output).contains(FinalJob.class.getName() + ".run() cannot be advised, the class is final")
				.contains(PrivateMethodJob.class.getName() + ".run() cannot be advised, the method is private");
		});
	}

	static ThreadPoolTaskScheduler threadPoolScheduler(String threadNamePrefix) {
		ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
		scheduler.setThreadNamePrefix(threadNamePrefix);
		return scheduler;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class SchedulingConfiguration {

		@Bean
		WorkRecorder workRecorder(ObjectProvider<WorkBoundaries> workBoundaries) {
			return new WorkRecorder(workBoundaries);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AlreadyProxiedConfiguration {

		final Queue<UnitOfWork> unitsSeenByOwnInterceptor = new ConcurrentLinkedQueue<>();

		@Bean
		static BeanNameAutoProxyCreator ownAutoProxyCreator() {
			// Ordered like the creators behind @EnableTransactionManagement and @EnableAspectJAutoProxy.
			BeanNameAutoProxyCreator creator = new BeanNameAutoProxyCreator();
			creator.setBeanNames("fixedDelayJob");
			creator.setInterceptorNames("ownInterceptor");
			creator.setProxyTargetClass(true);
			creator.setOrder(Ordered.HIGHEST_PRECEDENCE);
			return creator;
		}

		@Bean
		MethodInterceptor ownInterceptor(ObjectProvider<WorkBoundaries> workBoundaries) {
			return (invocation) -> {
				UnitOfWork unit = workBoundaries.getObject().currentUnit();
				if (unit != null) {
					this.unitsSeenByOwnInterceptor.add(unit);
				}
				return invocation.proceed();
			};
		}

		@Bean
		FixedDelayJob fixedDelayJob(WorkRecorder recorder) {
			return new FixedDelayJob(recorder);
		}

	}

	static class FailingStartedListener implements ApplicationListener<WorkStartedEvent> {

		@Override
		public void onApplicationEvent(WorkStartedEvent event) {
			throw new IllegalStateException("listener failure");
		}

	}

	static class FixedDelayJob extends RecordingJob {

		FixedDelayJob(WorkRecorder recorder) {
			super(recorder);
		}

		@Scheduled(fixedDelay = 50)
		public void run() {
			ran();
		}

	}

	static class FixedRateJob extends RecordingJob {

		FixedRateJob(WorkRecorder recorder) {
			super(recorder);
		}

		@Scheduled(fixedRate = 50)
		public void run() {
			ran();
		}

	}

	static class CronJob extends RecordingJob {

		CronJob(WorkRecorder recorder) {
			super(recorder);
		}

		@Scheduled(cron = "*/1 * * * * *")
		public void run() {
			ran();
		}

	}

	static class RoutedJob extends RecordingJob {

		RoutedJob(WorkRecorder recorder) {
			super(recorder);
		}

		@Scheduled(fixedDelay = 50, scheduler = "otherScheduler")
		public void run() {
			ran();
		}

	}

	static class FailingJob extends RecordingJob {

		private final Queue<RuntimeException> thrown = new ConcurrentLinkedQueue<>();

		FailingJob(WorkRecorder recorder) {
			super(recorder);
		}

		public List<RuntimeException> thrown() {
			return List.copyOf(this.thrown);
		}

		@Scheduled(fixedDelay = 50)
		public void run() {
			ran();
			RuntimeException failure = new IllegalStateException("run " + (this.thrown.size() + 1) + " failed");
			this.thrown.add(failure);
			throw failure;
		}

	}

	static class NestingJob extends RecordingJob {

		private final WorkBoundaries workBoundaries;

		NestingJob(WorkRecorder recorder, WorkBoundaries workBoundaries) {
			super(recorder);
			this.workBoundaries = workBoundaries;
		}

		@Scheduled(fixedDelay = 50)
		public void run() {
			this.workBoundaries.run("nested", this::ran);
		}

	}

	static final class FinalJob extends RecordingJob {

		FinalJob(WorkRecorder recorder) {
			super(recorder);
		}

		@Scheduled(fixedDelay = 50)
		public void run() {
			ran();
		}

	}

	static class PrivateMethodJob extends RecordingJob {

		PrivateMethodJob(WorkRecorder recorder) {
			super(recorder);
		}

		@Scheduled(fixedDelay = 50)
		private void run() {
			ran();
		}

	}

}
