package io.github.connectionlifecycle.batch;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import javax.sql.DataSource;

import io.github.connectionlifecycle.autoconfigure.BatchConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.testsupport.RetirementRecorder;
import io.github.connectionlifecycle.testsupport.TrustingPools;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ItemReader;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.batch.autoconfigure.BatchAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

import static io.github.connectionlifecycle.batch.BatchWorkIntegrationTests.launch;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the batch entry point adds at each chunk's boundaries, on the embedded MariaDB: a
 * chunk-oriented step that inserts one row per chunk, in the chunk's transaction, through
 * a {@link JdbcTransactionManager} that borrows its connection when the transaction
 * begins. Except for the idle gaps, the sessions' wait_timeout is raised to 10 minutes so
 * that the background sweep is out of the picture.
 */
@ExtendWith(OutputCaptureExtension.class)
class BatchConnectionsIntegrationTest {

	private static final int JOBS = 5;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				DataSourceTransactionManagerAutoConfiguration.class, BatchAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, DataSourceConnectionLifecycleAutoConfiguration.class,
				BatchConnectionLifecycleAutoConfiguration.class))
		.withUserConfiguration(InsertJob.class)
		.withBean(RetirementRecorder.class)
		.withPropertyValues("spring.datasource.username=" + EmbeddedMariaDb.username(),
				"spring.datasource.password=" + EmbeddedMariaDb.password());

	@Test
	void afterAKillAtMostTheFirstChunkFailsAndTheSiblingsAreRetired() {
		String tomcatUrl = TrustingPools.createDatabase("batch_kill_tomcat");
		this.contextRunner.withPropertyValues(TrustingPools.TOMCAT)
			.withPropertyValues("spring.datasource.url=" + tomcatUrl)
			.run((context) -> {
				assertThat(failedJobsAfterAKill(context, tomcatUrl)).isLessThanOrEqualTo(1);
				assertThat(context.getBean(RetirementRecorder.class).reasons())
					.contains(RetirementReason.SIBLING_BROKEN);
			});
		String singleUrl = TrustingPools.createDatabase("batch_kill_single");
		this.contextRunner.withBean(SingleConnectionDataSource.class, () -> TrustingPools.singleConnection(singleUrl))
			.run((context) -> {
				assertThat(failedJobsAfterAKill(context, singleUrl)).isLessThanOrEqualTo(1);
				assertThat(context.getBean(RetirementRecorder.class).reasons()).contains(RetirementReason.BROKEN);
			});
	}

	@ParameterizedTest(name = "entry point on: {0}")
	@ValueSource(booleans = { true, false })
	void withHealthChecksNoChunkFailsAfterAKill(boolean entryPoint) {
		String tomcatUrl = TrustingPools.createDatabase("batch_kill_checked");
		this.contextRunner.withPropertyValues(TrustingPools.TOMCAT)
			.withPropertyValues("spring.datasource.url=" + tomcatUrl, "connection.health-checks=true",
					"connection.batch.enabled=" + entryPoint)
			.run((context) -> assertThat(failedJobsAfterAKill(context, tomcatUrl)).isEqualTo(entryPoint ? 0 : 1));
		String singleUrl = TrustingPools.createDatabase("batch_kill_single_checked");
		this.contextRunner.withBean(SingleConnectionDataSource.class, () -> TrustingPools.singleConnection(singleUrl))
			.withPropertyValues("connection.health-checks=true", "connection.batch.enabled=" + entryPoint)
			.run((context) -> assertThat(failedJobsAfterAKill(context, singleUrl)).isEqualTo(entryPoint ? 0 : 1));
	}

	@ParameterizedTest(name = "entry point on: {0}")
	@ValueSource(booleans = { true, false })
	void withMaxAgeZeroEveryChunkGetsAConnectionNoEarlierChunkUsed(boolean entryPoint) {
		String url = TrustingPools.createDatabase("batch_max_age_zero");
		this.contextRunner
			.withPropertyValues("spring.datasource.url=" + url, "connection.max-age=0",
					"connection.batch.enabled=" + entryPoint)
			.run((context) -> {
				assertThat(runJob(context, 1, 2, 3, 4)).isEqualTo(BatchStatus.COMPLETED);
				List<Long> connectionIds = new JdbcTemplate(context.getBean(DataSource.class))
					.queryForList("SELECT connection_id FROM items ORDER BY id", Long.class);
				assertThat(connectionIds).hasSize(4);
				if (entryPoint) {
					assertThat(connectionIds).doesNotHaveDuplicates();
				}
				else {
					assertThat(connectionIds).hasSizeGreaterThan(connectionIds.stream().distinct().toList().size());
				}
			});
	}

	/**
	 * The long job: the reader waits longer than wait_timeout between two chunks. With
	 * Spring Batch 6's default transaction manager for a chunk step (resourceless), or a
	 * {@link LazyConnectionDataSourceProxy} under a JDBC one, the chunk borrows its
	 * connection after the wait, inside its unit: nothing fails.
	 */
	@ParameterizedTest(name = "{0} transactions")
	@ValueSource(strings = { "resourceless", "lazy-jdbc" })
	void chunksAfterIdleGapsLongerThanWaitTimeoutMeetNoDeadConnection(String transactions, CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=" + EmbeddedMariaDb.createDatabase("batch_gap"),
					"test.transactions=" + transactions, "test.gap-before-item=2")
			.run((context) -> assertThat(runJob(context, 1, 2)).isEqualTo(BatchStatus.COMPLETED));
		assertThat(output).doesNotContain("Failed to validate connection");
	}

	/**
	 * The limitation: the JDBC transaction borrows its connection when the chunk begins,
	 * before the reader waits; the server closes it during the wait, and no boundary can
	 * replace a connection that is in use.
	 */
	@Test
	void readerWaitingInsideAJdbcChunkTransactionLosesItsConnection() {
		this.contextRunner
			.withPropertyValues("spring.datasource.url=" + EmbeddedMariaDb.createDatabase("batch_gap_in_tx"),
					"test.transactions=jdbc", "test.gap-before-item=2")
			.run((context) -> assertThat(runJob(context, 1, 2)).isEqualTo(BatchStatus.FAILED));
	}

	/** A warm-up job, a KILL of every session, then jobs of one chunk each, back to back. */
	private static int failedJobsAfterAKill(AssertableApplicationContext context, String url) throws Exception {
		assertThat(runJob(context, 0)).as("warm-up").isEqualTo(BatchStatus.COMPLETED);
		assertThat(EmbeddedMariaDb.killSessions(url)).as("sessions killed").isPositive();
		int failed = 0;
		for (int job = 1; job <= JOBS; job++) {
			if (runJob(context, job) != BatchStatus.COMPLETED) {
				failed++;
			}
		}
		return failed;
	}

	private static BatchStatus runJob(AssertableApplicationContext context, Integer... items) throws Exception {
		context.getBean(InsertJob.class).items.addAll(List.of(items));
		return launch(context, "insertJob").getStatus();
	}

	/**
	 * A job of one chunk-oriented step, one item per chunk, that inserts each item with the
	 * id of the connection it used.
	 */
	@Configuration(proxyBeanMethods = false)
	static class InsertJob {

		final Queue<Integer> items = new ConcurrentLinkedQueue<>();

		@Bean
		Job insertJob(JobRepository jobRepository, DataSource dataSource,
				@Value("${test.transactions:jdbc}") String transactions,
				@Value("${test.gap-before-item:-1}") int gapBeforeItem) {
			new JdbcTemplate(dataSource).execute("CREATE TABLE IF NOT EXISTS items (id INT PRIMARY KEY, "
					+ "connection_id BIGINT)");
			DataSource chunkDataSource = transactions.equals("lazy-jdbc")
					? new LazyConnectionDataSourceProxy(dataSource) : dataSource;
			PlatformTransactionManager transactionManager = transactions.equals("resourceless")
					? new ResourcelessTransactionManager() : new JdbcTransactionManager(chunkDataSource);
			JdbcTemplate jdbc = new JdbcTemplate(chunkDataSource);
			ItemReader<Integer> reader = () -> read(gapBeforeItem);
			return new JobBuilder("insertJob", jobRepository)
				.start(new StepBuilder("insertStep", jobRepository).<Integer, Integer>chunk(1)
					.transactionManager(transactionManager)
					.reader(reader)
					.writer((chunk) -> chunk.forEach((item) -> jdbc
						.update("INSERT INTO items (id, connection_id) VALUES (?, CONNECTION_ID())", item)))
					.build())
				.build();
		}

		private @Nullable Integer read(int gapBeforeItem) throws InterruptedException {
			Integer item = this.items.poll();
			if (item != null && item == gapBeforeItem) {
				// The idle gap is the scenario: longer than the server's wait_timeout.
				Thread.sleep(Duration.ofSeconds(EmbeddedMariaDb.WAIT_TIMEOUT_SECONDS + 1).toMillis());
			}
			return item;
		}

	}

}
