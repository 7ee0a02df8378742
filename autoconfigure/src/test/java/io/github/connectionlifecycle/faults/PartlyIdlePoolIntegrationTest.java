package io.github.connectionlifecycle.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.work.WorkBoundaries;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pool that is never quiet as a whole, yet most of whose connections sit idle past the
 * server's wait_timeout: one thread runs a unit every 250 ms (the pool hands it the same
 * connection each time), then a burst needs every connection at once. The connections the
 * pool opened in the background were never borrowed through the lifecycle, so their idle
 * time must come from somewhere else than our own bookkeeping: the driver.
 * <p>
 * HikariCP is not tested here: it validates such a connection (and warns) before the
 * starter sees it, and its keepalive (30 s at least) keeps idle connections alive wherever
 * wait_timeout is longer than that.
 */
class PartlyIdlePoolIntegrationTest {

	private static final int POOL_SIZE = 4;

	private static final Duration TRICKLE = Duration.ofSeconds(EmbeddedMariaDb.WAIT_TIMEOUT_SECONDS + 1);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, DataSourceConnectionLifecycleAutoConfiguration.class))
		.withPropertyValues("spring.datasource.username=" + EmbeddedMariaDb.username(),
				"spring.datasource.password=" + EmbeddedMariaDb.password());

	@Test
	void aPoolThatDoesNotValidateHandsNoUnitAConnectionTheServerClosed() {
		// DBCP2 without test-on-borrow hands out what it has; LIFO order gives the trickle
		// one connection and leaves the others, never borrowed through the lifecycle, idle.
		assertThat(unitsFailedInABurstAfterATrickle(PoolUnderTest.DBCP2, "spring.datasource.dbcp2.test-on-borrow=false"))
			.isZero();
	}

	private int unitsFailedInABurstAfterATrickle(PoolUnderTest pool, String... properties) {
		AtomicInteger failed = new AtomicInteger(-1);
		this.contextRunner.withPropertyValues(pool.properties(POOL_SIZE))
			.withPropertyValues(properties)
			.withPropertyValues("spring.datasource.url=" + EmbeddedMariaDb.createDatabase("partly_idle_" + pool))
				.run((context) -> {
					WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
					JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
					boundaries.run("first", () -> jdbc.queryForObject("SELECT 1", Integer.class));
					long trickleEnd = System.nanoTime() + TRICKLE.toNanos();
					while (System.nanoTime() < trickleEnd) {
						boundaries.run("trickle", () -> jdbc.queryForObject("SELECT 1", Integer.class));
						Thread.sleep(250); // the trickle is the scenario: the other connections idle meanwhile
					}
					failed.set(burst(boundaries, jdbc));
				});
		return failed.get();
	}

	/** Every connection of the pool at once: each unit holds its connection until all do. */
	private static int burst(WorkBoundaries boundaries, JdbcTemplate jdbc) throws InterruptedException {
		CyclicBarrier allHolding = new CyclicBarrier(POOL_SIZE);
		ExecutorService threads = Executors.newFixedThreadPool(POOL_SIZE);
		try {
			List<CompletableFuture<Boolean>> units = new ArrayList<>();
			for (int unit = 0; unit < POOL_SIZE; unit++) {
				units.add(CompletableFuture.supplyAsync(() -> {
					try {
						boundaries.run("burst", () -> jdbc.execute((ConnectionCallback<Object>) (connection) -> {
							try {
								connection.createStatement().execute("SELECT 1");
							}
							finally {
								// A unit that failed holds its connection too: the others need not time out.
								awaitAll(allHolding);
							}
							return null;
						}));
						return true;
					}
					catch (RuntimeException ex) {
						return false;
					}
				}, threads));
			}
			return (int) units.stream().map(CompletableFuture::join).filter((succeeded) -> !succeeded).count();
		}
		finally {
			threads.shutdown();
			assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
		}
	}

	private static void awaitAll(CyclicBarrier barrier) {
		try {
			barrier.await(30, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException("The burst did not get every connection at once", ex);
		}
	}

}
