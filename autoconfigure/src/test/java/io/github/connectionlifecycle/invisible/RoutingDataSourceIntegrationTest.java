package io.github.connectionlifecycle.invisible;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.testsupport.RetirementRecorder;
import io.github.connectionlifecycle.work.WorkBoundaries;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 7, point 5: every target of an {@link AbstractRoutingDataSource} is managed as its
 * own pool. The router is the only DataSource bean; its two targets are HikariCP pools of 3
 * connections that are not beans (a read/write split, a database per tenant), each on its
 * own database; the target is chosen by a ThreadLocal. With {@code connection.max-age: 0},
 * 200 units alternate between the targets: every unit succeeds, gets a connection no
 * earlier unit used, from the pool its key routes to; neither pool ever counts more than
 * its maximum; at the end every slot of each pool is back (none active, none lost), and
 * the starter published its MAX_AGE retirements.
 * <p>
 * The sessions' wait_timeout is raised ({@code sessionVariables=wait_timeout=600}) so that
 * the only retirements are those max-age 0 asks for. A pool's connection-timeout of 5 s
 * bounds a unit that cannot borrow; the loop stops at the first failed unit.
 */
class RoutingDataSourceIntegrationTest {

	private static final int MAX_POOL_SIZE = 3;

	private static final int UNITS = 200;

	private static final ThreadLocal<String> lookupKey = new ThreadLocal<>();

	@Test
	void eachTargetOfARoutingDataSourceIsManagedAsItsOwnPool() {
		String urlA = EmbeddedMariaDb.createDatabase("routing_a") + "&sessionVariables=wait_timeout=600";
		String urlB = EmbeddedMariaDb.createDatabase("routing_b") + "&sessionVariables=wait_timeout=600";
		try (HikariDataSource poolA = pool("routing-a", urlA); HikariDataSource poolB = pool("routing-b", urlB)) {
			Map<String, HikariDataSource> pools = Map.of("A", poolA, "B", poolB);
			Map<String, String> databases = Map.of("A", databaseOf(urlA), "B", databaseOf(urlB));
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(ConnectionLifecycleAutoConfiguration.class,
						DataSourceConnectionLifecycleAutoConfiguration.class))
				.withBean("dataSource", DataSource.class, () -> router(poolA, poolB))
				.withBean(RetirementRecorder.class)
				.withPropertyValues("connection.max-age=0")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					WorkBoundaries boundaries = context.getBean(WorkBoundaries.class);
					JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
					List<Long> connectionIds = new ArrayList<>();
					AtomicInteger mostConnectionsSeen = new AtomicInteger();
					String failure = null;
					for (int unit = 0; unit < UNITS && failure == null; unit++) {
						String key = (unit % 2 == 0) ? "A" : "B";
						lookupKey.set(key);
						try {
							boundaries.run("unit-" + unit + "-" + key, () -> {
								Map<String, Object> session = jdbc
									.queryForMap("SELECT CONNECTION_ID() AS id, DATABASE() AS db");
								assertThat(session.get("db")).as("routed to pool " + key).isEqualTo(databases.get(key));
								connectionIds.add(((Number) session.get("id")).longValue());
								for (HikariDataSource pool : pools.values()) {
									HikariPoolMXBean started = pool.getHikariPoolMXBean();
									if (started != null) {
										mostConnectionsSeen.accumulateAndGet(started.getTotalConnections(), Math::max);
									}
								}
							});
						}
						catch (RuntimeException ex) {
							failure = "unit " + unit + " (pool " + key + ") failed: " + ex + "; pool A " + state(poolA)
									+ ", pool B " + state(poolB);
						}
						finally {
							lookupKey.remove();
						}
					}
					assertThat(failure).as("every unit succeeds").isNull();
					assertThat(mostConnectionsSeen.get()).as("most connections a pool counted during the units")
						.isLessThanOrEqualTo(MAX_POOL_SIZE);
					Set<Long> distinct = new HashSet<>(connectionIds);
					assertThat(distinct).as("max-age 0: each unit got a connection no earlier unit used")
						.hasSize(UNITS);
					for (Map.Entry<String, HikariDataSource> pool : pools.entrySet()) {
						HikariPoolMXBean mxBean = pool.getValue().getHikariPoolMXBean();
						Awaitility.await("every slot of pool " + pool.getKey() + " back: " + state(pool.getValue()))
							.atMost(Duration.ofSeconds(30))
							.until(() -> mxBean.getActiveConnections() == 0 && mxBean.getTotalConnections() <= MAX_POOL_SIZE
									&& mxBean.getIdleConnections() == mxBean.getTotalConnections());
					}
					assertThat(context.getBean(RetirementRecorder.class).reasons()).contains(RetirementReason.MAX_AGE);
				});
		}
	}

	private static String state(HikariDataSource pool) {
		HikariPoolMXBean mxBean = pool.getHikariPoolMXBean();
		return (mxBean != null) ? "total=" + mxBean.getTotalConnections() + " active=" + mxBean.getActiveConnections()
				+ " idle=" + mxBean.getIdleConnections() + " waiting=" + mxBean.getThreadsAwaitingConnection()
				: "not started";
	}

	private static String databaseOf(String url) {
		return url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
	}

	private static HikariDataSource pool(String name, String url) {
		HikariDataSource pool = new HikariDataSource();
		pool.setPoolName(name);
		pool.setJdbcUrl(url);
		pool.setUsername(EmbeddedMariaDb.username());
		pool.setPassword(EmbeddedMariaDb.password());
		pool.setMaximumPoolSize(MAX_POOL_SIZE);
		pool.setConnectionTimeout(5000);
		return pool;
	}

	private static DataSource router(DataSource poolA, DataSource poolB) {
		ThreadLocalRouter router = new ThreadLocalRouter();
		router.setTargetDataSources(Map.of("A", poolA, "B", poolB));
		router.setDefaultTargetDataSource(poolA);
		return router;
	}

	/** Routes to the target whose key the current thread set. */
	static class ThreadLocalRouter extends AbstractRoutingDataSource {

		@Override
		protected Object determineCurrentLookupKey() {
			return lookupKey.get();
		}

	}

}
