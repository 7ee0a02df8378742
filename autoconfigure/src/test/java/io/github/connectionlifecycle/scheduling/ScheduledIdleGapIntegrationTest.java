package io.github.connectionlifecycle.scheduling;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.SchedulingConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The seed, for {@code @Scheduled}: a job that reads the database every 3 s, longer than
 * the server's wait_timeout of 2 s, so every run after the first starts after the server
 * closed the pool's connections. With the starter off, HikariCP walks through the dead
 * connections, which shows the test can fail.
 */
@ExtendWith(OutputCaptureExtension.class)
class ScheduledIdleGapIntegrationTest {

	private static final String HIKARI_VALIDATION_WARNING = "Failed to validate connection";

	private static final int RUNS = 4;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				TaskSchedulingAutoConfiguration.class, ConnectionLifecycleAutoConfiguration.class,
				DataSourceConnectionLifecycleAutoConfiguration.class,
				SchedulingConnectionLifecycleAutoConfiguration.class))
		.withUserConfiguration(SchedulingConfiguration.class)
		.withBean(IdleGapJob.class)
		.withPropertyValues("spring.datasource.username=" + EmbeddedMariaDb.username(),
				"spring.datasource.password=" + EmbeddedMariaDb.password());

	@Test
	void scheduledRunsAfterIdleGapsMeetNoDeadConnection(CapturedOutput output) {
		this.contextRunner.withPropertyValues("spring.datasource.url=" + EmbeddedMariaDb.createDatabase("scheduled_gap"))
			.run((context) -> {
				IdleGapJob job = context.getBean(IdleGapJob.class);
				awaitRuns(job);
				assertThat(job.failures()).isZero();
			});
		assertThat(output).doesNotContain(HIKARI_VALIDATION_WARNING);
	}

	@Test
	void withoutScheduledUnitsHikariWalksThroughDeadConnections(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=" + EmbeddedMariaDb.createDatabase("scheduled_gap_off"),
					"connection.enabled=false")
			.run((context) -> awaitRuns(context.getBean(IdleGapJob.class)));
		assertThat(output).contains(HIKARI_VALIDATION_WARNING);
	}

	private static void awaitRuns(IdleGapJob job) {
		// Bounded by the schedule itself: RUNS - 1 gaps of 3 s, with room for a loaded machine.
		await().atMost(Duration.ofSeconds(45)).until(() -> job.runs() >= RUNS);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class SchedulingConfiguration {

	}

	static class IdleGapJob {

		private final JdbcTemplate jdbc;

		private final AtomicInteger runs = new AtomicInteger();

		private final AtomicInteger failures = new AtomicInteger();

		IdleGapJob(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@Scheduled(fixedDelay = 3000)
		public void read() {
			try {
				this.jdbc.queryForObject("SELECT COUNT(*) FROM information_schema.SCHEMATA", Integer.class);
			}
			catch (DataAccessException ex) {
				this.failures.incrementAndGet();
				throw ex;
			}
			finally {
				this.runs.incrementAndGet();
			}
		}

		public int runs() {
			return this.runs.get();
		}

		public int failures() {
			return this.failures.get();
		}

	}

}
