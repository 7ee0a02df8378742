package io.github.connectionlifecycle.batch;

import io.github.connectionlifecycle.autoconfigure.BatchConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.batch.BatchWorkIntegrationTests.Jobs;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.job.SimpleJob;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.ThreadStepInterruptionPolicy;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.batch.autoconfigure.BatchAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When {@link BatchConnectionLifecycleAutoConfiguration} applies, and that it keeps what the
 * steps had.
 */
class BatchConnectionLifecycleAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(BatchAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, BatchConnectionLifecycleAutoConfiguration.class))
		.withUserConfiguration(Jobs.class);

	@Test
	void givesTheStepsOfJobBeansUnitsAndKeepsTheirOwnInterruptionPolicy() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(BatchWorkBoundariesPostProcessor.class);
			assertThat(interruptionPolicy(context, "chunkJob", "chunkStep"))
				.isInstanceOfSatisfying(ChunkWorkUnits.class, (units) -> assertThat(units.getDelegate())
					.isInstanceOf(ThreadStepInterruptionPolicy.class)
					.isNotExactlyInstanceOf(ThreadStepInterruptionPolicy.class));
			assertThat(interruptionPolicy(context, "taskletJob", "taskletStep"))
				.isInstanceOfSatisfying(ChunkWorkUnits.class, (units) -> assertThat(units.getDelegate())
					.isExactlyInstanceOf(ThreadStepInterruptionPolicy.class));
		});
	}

	@Test
	void backsOffWhenTheBatchEntryPointIsDisabled() {
		this.contextRunner.withPropertyValues("connection.batch.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(BatchWorkBoundariesPostProcessor.class);
			assertThat(interruptionPolicy(context, "taskletJob", "taskletStep"))
				.isExactlyInstanceOf(ThreadStepInterruptionPolicy.class);
		});
	}

	@Test
	void backsOffWhenConnectionLifecycleIsDisabled() {
		this.contextRunner.withPropertyValues("connection.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(BatchWorkBoundariesPostProcessor.class));
	}

	@Test
	void backsOffWhenSpringBatchIsNotOnTheClasspath() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ConnectionLifecycleAutoConfiguration.class,
					BatchConnectionLifecycleAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.batch."))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(BatchWorkBoundariesPostProcessor.class));
	}

	private static Object interruptionPolicy(AssertableApplicationContext context, String job, String step) {
		Step found = context.getBean(job, SimpleJob.class).getStep(step);
		return ReflectionTestUtils.getField(found, "interruptionPolicy");
	}

}
