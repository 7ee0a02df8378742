package io.github.connectionlifecycle.scheduling;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.SchedulingConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.scheduling.ScheduledWorkIntegrationTests.FixedDelayJob;
import io.github.connectionlifecycle.scheduling.ScheduledWorkIntegrationTests.SchedulingConfiguration;
import io.github.connectionlifecycle.work.WorkBoundaries;
import org.junit.jupiter.api.Test;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.ScheduledAnnotationBeanPostProcessor;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

import static io.github.connectionlifecycle.scheduling.ScheduledWorkIntegrationTests.threadPoolScheduler;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * When {@link SchedulingConnectionLifecycleAutoConfiguration} applies, and that it works
 * with the ways applications set scheduling up themselves.
 */
class SchedulingConnectionLifecycleAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ConnectionLifecycleAutoConfiguration.class,
				SchedulingConnectionLifecycleAutoConfiguration.class))
		.withBean(FixedDelayJob.class);

	@Test
	void advisesScheduledBeansByDefault() {
		this.contextRunner.withUserConfiguration(SchedulingConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(ScheduledWorkAdvisingPostProcessor.class);
			assertThat(AopUtils.isCglibProxy(context.getBean(FixedDelayJob.class))).isTrue();
		});
	}

	@Test
	void backsOffWhenSchedulingEntryPointIsDisabled() {
		this.contextRunner.withUserConfiguration(SchedulingConfiguration.class)
			.withPropertyValues("connection.scheduling.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(ScheduledWorkAdvisingPostProcessor.class);
				assertThat(AopUtils.isAopProxy(context.getBean(FixedDelayJob.class))).isFalse();
			});
	}

	@Test
	void backsOffWhenConnectionLifecycleIsDisabled() {
		this.contextRunner.withUserConfiguration(SchedulingConfiguration.class)
			.withPropertyValues("connection.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ScheduledWorkAdvisingPostProcessor.class));
	}

	@Test
	void backsOffWhenSchedulingIsNotEnabled() {
		this.contextRunner.withBean(WorkRecorder.class)
			.run((context) -> assertThat(context).doesNotHaveBean(ScheduledWorkAdvisingPostProcessor.class));
	}

	@Test
	void bracketsRunsOfAnOwnScheduledAnnotationBeanPostProcessor() {
		this.contextRunner.withUserConfiguration(OwnProcessorConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(ScheduledWorkAdvisingPostProcessor.class);
			context.getBean(WorkRecorder.class).awaitBracketedRuns(FixedDelayJob.class, 2, "own-");
		});
	}

	@Test
	void bracketsRunsOnASchedulerSetBySchedulingConfigurer() {
		this.contextRunner.withUserConfiguration(SchedulingConfiguration.class)
			.withBean(OwnSchedulerConfigurer.class)
			.run((context) -> context.getBean(WorkRecorder.class)
				.awaitBracketedRuns(FixedDelayJob.class, 2, "configured-"));
	}

	/**
	 * Scheduling without {@link EnableScheduling @EnableScheduling}: the application
	 * declares the processor itself, with its own scheduler.
	 */
	@Configuration(proxyBeanMethods = false)
	static class OwnProcessorConfiguration {

		@Bean
		static ScheduledAnnotationBeanPostProcessor ownScheduledAnnotationProcessor() {
			return new ScheduledAnnotationBeanPostProcessor();
		}

		@Bean
		ThreadPoolTaskScheduler ownScheduler() {
			return threadPoolScheduler("own-");
		}

		@Bean
		WorkRecorder workRecorder(ObjectProvider<WorkBoundaries> workBoundaries) {
			return new WorkRecorder(workBoundaries);
		}

	}

	/**
	 * Hands the registrar a scheduler that is not a bean, as applications do with
	 * {@link SchedulingConfigurer}.
	 */
	static class OwnSchedulerConfigurer implements SchedulingConfigurer, DisposableBean {

		private final ThreadPoolTaskScheduler scheduler = threadPoolScheduler("configured-");

		@Override
		public void configureTasks(ScheduledTaskRegistrar registrar) {
			this.scheduler.initialize();
			registrar.setTaskScheduler(this.scheduler);
		}

		@Override
		public void destroy() {
			this.scheduler.shutdown();
		}

	}

}
