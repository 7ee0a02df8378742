package io.github.connectionlifecycle.task;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.SchedulingConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.TaskConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.RecordedWorkEvents;
import io.github.connectionlifecycle.work.WorkKind;
import io.github.connectionlifecycle.work.WorkStartedEvent;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.task.ThreadPoolTaskExecutorCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * When {@link TaskConnectionLifecycleAutoConfiguration} applies, and what it leaves alone.
 */
class TaskConnectionLifecycleAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, TaskConnectionLifecycleAutoConfiguration.class));

	@Test
	void decoratesBootsApplicationTaskExecutorByDefault() {
		this.contextRunner.run((context) -> assertThat(taskDecorator(context.getBean(ThreadPoolTaskExecutor.class)))
			.isInstanceOf(WorkUnitTaskDecorator.class));
	}

	@Test
	void backsOffWhenTheAsyncEntryPointIsDisabled() {
		this.contextRunner.withPropertyValues("connection.async.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ThreadPoolTaskExecutorCustomizer.class);
			assertThat(taskDecorator(context.getBean(ThreadPoolTaskExecutor.class))).isNull();
		});
	}

	@Test
	void backsOffWhenConnectionLifecycleIsDisabled() {
		this.contextRunner.withPropertyValues("connection.enabled=false")
			.run((context) -> assertThat(taskDecorator(context.getBean(ThreadPoolTaskExecutor.class))).isNull());
	}

	@Test
	void backsOffWhenBootsTaskExecutorBuildersAreNotOnTheClasspath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(ThreadPoolTaskExecutorCustomizer.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(TaskConnectionLifecycleAutoConfiguration.class));
	}

	@Test
	void userExecutorCustomizersStillApply() {
		this.contextRunner.withBean(ThreadPoolTaskExecutorCustomizer.class,
				() -> (executor) -> executor.setThreadNamePrefix("own-"))
			.run((context) -> {
				ThreadPoolTaskExecutor executor = context.getBean(ThreadPoolTaskExecutor.class);
				assertThat(executor.getThreadNamePrefix()).isEqualTo("own-");
				assertThat(taskDecorator(executor)).isInstanceOf(WorkUnitTaskDecorator.class);
			});
	}

	@Test
	void scheduledRunsOnBootsSchedulerStayScheduledUnits() {
		// Boot gives task decorator beans to its schedulers too; ours is not one.
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(TaskSchedulingAutoConfiguration.class,
					SchedulingConnectionLifecycleAutoConfiguration.class))
			.withUserConfiguration(SchedulingConfiguration.class)
			.withBean(RecordedWorkEvents.class)
			.run((context) -> {
				RecordedWorkEvents events = context.getBean(RecordedWorkEvents.class);
				await().until(() -> events.finished().size() >= 2);
				assertThat(events.started()).extracting(WorkStartedEvent::getUnit)
					.allSatisfy((unit) -> assertThat(unit.kind()).isEqualTo(WorkKind.SCHEDULED));
			});
	}

	private static Object taskDecorator(ThreadPoolTaskExecutor executor) {
		return ReflectionTestUtils.getField(executor, "taskDecorator");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class SchedulingConfiguration {

		@Scheduled(fixedDelay = 50)
		public void run() {
		}

	}

}
