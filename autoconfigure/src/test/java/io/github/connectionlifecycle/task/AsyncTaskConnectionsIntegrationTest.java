package io.github.connectionlifecycle.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.TaskConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.testsupport.RetirementRecorder;
import io.github.connectionlifecycle.testsupport.TrustingPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the task entry point adds at each task's boundaries, on the embedded MariaDB, with
 * tasks run back to back by Spring Boot's {@code applicationTaskExecutor}. Except for the
 * idle gaps, the sessions' wait_timeout is raised to 10 minutes so that the background
 * sweep is out of the picture: what is left is what happens at the boundaries.
 */
@ExtendWith(OutputCaptureExtension.class)
class AsyncTaskConnectionsIntegrationTest {

	private static final int TASKS = 5;

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				TaskExecutionAutoConfiguration.class, ConnectionLifecycleAutoConfiguration.class,
				DataSourceConnectionLifecycleAutoConfiguration.class, TaskConnectionLifecycleAutoConfiguration.class))
		.withBean(RetirementRecorder.class)
		.withPropertyValues("spring.datasource.username=" + EmbeddedMariaDb.username(),
				"spring.datasource.password=" + EmbeddedMariaDb.password());

	/**
	 * Switched off, the same happens here: a broken connection returned outside a unit of
	 * work has its idle siblings flushed at once. What the entry point adds after a KILL is
	 * the health check at a unit's first use (below).
	 */
	@Test
	void afterAKillAtMostTheFirstTaskFailsAndTheSiblingsAreRetired() {
		String tomcatUrl = TrustingPools.createDatabase("async_kill_tomcat");
		this.contextRunner.withPropertyValues(TrustingPools.TOMCAT)
			.withPropertyValues("spring.datasource.url=" + tomcatUrl)
			.run((context) -> {
				assertThat(failedTasksAfterAKill(context, tomcatUrl)).isLessThanOrEqualTo(1);
				assertThat(context.getBean(RetirementRecorder.class).reasons())
					.contains(RetirementReason.SIBLING_BROKEN);
			});
		String singleUrl = TrustingPools.createDatabase("async_kill_single");
		this.contextRunner.withBean(SingleConnectionDataSource.class, () -> TrustingPools.singleConnection(singleUrl))
			.run((context) -> {
				assertThat(failedTasksAfterAKill(context, singleUrl)).isLessThanOrEqualTo(1);
				assertThat(context.getBean(RetirementRecorder.class).reasons()).contains(RetirementReason.BROKEN);
			});
	}

	@ParameterizedTest(name = "entry point on: {0}")
	@ValueSource(booleans = { true, false })
	void withHealthChecksNoTaskFailsAfterAKill(boolean entryPoint) {
		String tomcatUrl = TrustingPools.createDatabase("async_kill_checked");
		this.contextRunner.withPropertyValues(TrustingPools.TOMCAT)
			.withPropertyValues("spring.datasource.url=" + tomcatUrl, "connection.health-checks=true",
					"connection.async.enabled=" + entryPoint)
			.run((context) -> assertThat(failedTasksAfterAKill(context, tomcatUrl)).isEqualTo(entryPoint ? 0 : 1));
		String singleUrl = TrustingPools.createDatabase("async_kill_single_checked");
		this.contextRunner.withBean(SingleConnectionDataSource.class, () -> TrustingPools.singleConnection(singleUrl))
			.withPropertyValues("connection.health-checks=true", "connection.async.enabled=" + entryPoint)
			.run((context) -> assertThat(failedTasksAfterAKill(context, singleUrl)).isEqualTo(entryPoint ? 0 : 1));
	}

	@ParameterizedTest(name = "entry point on: {0}")
	@ValueSource(booleans = { true, false })
	void withMaxAgeZeroEveryTaskGetsAConnectionNoEarlierTaskUsed(boolean entryPoint) {
		String url = TrustingPools.createDatabase("async_max_age_zero");
		this.contextRunner
			.withPropertyValues("spring.datasource.url=" + url, "connection.max-age=0",
					"connection.async.enabled=" + entryPoint)
			.run((context) -> {
				JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
				List<Long> connectionIds = new ArrayList<>();
				for (int task = 0; task < TASKS; task++) {
					connectionIds
						.add(runAlone(context, () -> jdbc.queryForObject("SELECT CONNECTION_ID()", Long.class)));
				}
				if (entryPoint) {
					assertThat(connectionIds).doesNotHaveDuplicates();
				}
				else {
					assertThat(connectionIds).hasSizeGreaterThan(connectionIds.stream().distinct().toList().size());
				}
			});
	}

	@Test
	void tasksAfterIdleGapsLongerThanWaitTimeoutMeetNoDeadConnection(CapturedOutput output) {
		this.contextRunner.withPropertyValues("spring.datasource.url=" + EmbeddedMariaDb.createDatabase("async_gap"))
			.run((context) -> {
				assertThat(failedTasks(context, 1)).isZero();
				for (int gap = 0; gap < 2; gap++) {
					// The idle gap is the scenario: the server closes the pool's idle connections.
					Thread.sleep(Duration.ofSeconds(EmbeddedMariaDb.WAIT_TIMEOUT_SECONDS + 1).toMillis());
					assertThat(failedTasks(context, 1)).isZero();
				}
			});
		assertThat(output).doesNotContain("Failed to validate connection");
	}

	/** A warm-up task, a KILL of every session, then tasks back to back. */
	private static int failedTasksAfterAKill(AssertableApplicationContext context, String url) {
		assertThat(failedTasks(context, 1)).as("warm-up").isZero();
		assertThat(EmbeddedMariaDb.killSessions(url)).as("sessions killed").isPositive();
		return failedTasks(context, TASKS);
	}

	/** Runs tasks one after the other on the executor, each a query. */
	private static int failedTasks(AssertableApplicationContext context, int tasks) {
		JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
		int failed = 0;
		for (int task = 0; task < tasks; task++) {
			try {
				runAlone(context, () -> jdbc.queryForObject("SELECT 1", Integer.class));
			}
			catch (ExecutionException ex) {
				failed++;
			}
		}
		return failed;
	}

	/**
	 * Runs a task and waits until its unit has ended too: the caller of a future is released
	 * when the task completes, just before the unit's end-of-unit cleanup.
	 */
	private static <T> T runAlone(AssertableApplicationContext context, Callable<T> task) throws ExecutionException {
		ThreadPoolTaskExecutor executor = context.getBean(ThreadPoolTaskExecutor.class);
		Future<T> result = executor.submit(task);
		await().atMost(TIMEOUT).until(() -> result.isDone() && executor.getActiveCount() == 0);
		try {
			return result.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
