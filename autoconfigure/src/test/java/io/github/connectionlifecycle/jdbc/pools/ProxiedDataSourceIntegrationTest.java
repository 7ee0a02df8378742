package io.github.connectionlifecycle.jdbc.pools;

import java.sql.Connection;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.jdbc.pools.PoolScenarios.Pool;
import io.github.connectionlifecycle.testsupport.RetirementRecorder;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.work.WorkBoundaries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

import static io.github.connectionlifecycle.jdbc.pools.PoolScenarios.contextRunner;
import static io.github.connectionlifecycle.jdbc.pools.PoolScenarios.unitsAfterIdleGaps;
import static io.github.connectionlifecycle.jdbc.pools.PoolScenarios.unitsAfterKills;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DataSource beans that wrap a pool: Spring's {@link LazyConnectionDataSourceProxy} and
 * {@link TransactionAwareDataSourceProxy}, and a JDK proxy like an observation library's.
 * The pool behind them is found and its dead connections never reach a unit of work. The
 * pools are ones that do not validate on borrow, so that nothing else would save the units.
 */
@ExtendWith(OutputCaptureExtension.class)
class ProxiedDataSourceIntegrationTest {

	@Test
	void lazyConnectionProxyStaysLazyAndItsPoolIsCleaned() {
		String url = EmbeddedMariaDb.createDatabase("lazy");
		org.apache.tomcat.jdbc.pool.DataSource tomcat = PoolScenarios.tomcat(url, false);
		contextRunner().withBean("dataSource", DataSource.class, () -> new LazyConnectionDataSourceProxy(tomcat))
			.withPropertyValues("connection.health-checks=true")
			.run((context) -> {
				DataSource lazy = context.getBean(DataSource.class);
				assertThat(lazy).isInstanceOf(LazyConnectionDataSourceProxy.class);
				assertThat(unitsAfterIdleGaps(context, lazy, 1)).isZero();
				assertThat(unitsAfterKills(context, lazy, url, 1)).isZero();
				long borrowed = tomcat.getPool().getBorrowedCount();
				context.getBean(WorkBoundaries.class).run("unused", () -> {
					try (Connection connection = lazy.getConnection()) {
						assertThat(connection).isNotNull();
					}
					catch (Exception ex) {
						throw new IllegalStateException(ex);
					}
				});
				assertThat(tomcat.getPool().getBorrowedCount()).as("an unused lazy connection borrows nothing")
					.isEqualTo(borrowed);
				assertThat(context.getBean(RetirementRecorder.class).reasons()).contains(RetirementReason.IDLE,
						RetirementReason.BROKEN);
			});
	}

	@Test
	void transactionAwareProxysPoolIsCleaned() {
		String url = EmbeddedMariaDb.createDatabase("transaction_aware");
		contextRunner()
			.withBean("dataSource", DataSource.class,
					() -> new TransactionAwareDataSourceProxy(Pool.DBCP2.create(url)))
			.withPropertyValues("connection.health-checks=true")
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				assertThat(unitsAfterIdleGaps(context, dataSource, 1)).isZero();
				assertThat(unitsAfterKills(context, dataSource, url, 1)).isZero();
				assertThat(context.getBean(RetirementRecorder.class).reasons()).contains(RetirementReason.IDLE,
						RetirementReason.BROKEN);
			});
	}

	@Test
	void observationProxysHikariPoolEvictsThroughTheWrapper() {
		String url = EmbeddedMariaDb.createDatabase("observed");
		// The context cannot close a pool behind a JDK proxy: the test does, so that no
		// housekeeper of it logs into later tests' output.
		try (HikariDataSource hikari = (HikariDataSource) Pool.HIKARI.create(url)) {
			contextRunner().withBean("dataSource", DataSource.class, () -> ObservationProxies.observed(hikari))
				.withPropertyValues("connection.health-checks=true")
				.run((context) -> {
					DataSource dataSource = context.getBean(DataSource.class);
					assertThat(unitsAfterKills(context, dataSource, url, 2)).isZero();
					assertThat(unitsAfterIdleGaps(context, dataSource, 1)).isZero();
					assertThat(context.getBean(RetirementRecorder.class).reasons()).contains(RetirementReason.IDLE,
							RetirementReason.BROKEN);
					assertThat(hikari.getHikariPoolMXBean().getActiveConnections()).as("no retired handle leaked")
						.isZero();
				});
		}
	}

	@Test
	void aPoolBeanAndAProxyBeanWrappingItAreManagedOnce(CapturedOutput output) {
		String url = EmbeddedMariaDb.createDatabase("pool_and_proxy");
		contextRunner().withUserConfiguration(PoolAndProxyConfiguration.class)
			.withBean("url", String.class, () -> url)
			.withPropertyValues("connection.health-checks=true")
			.run((context) -> {
				DataSource lazy = context.getBean("lazy", DataSource.class);
				assertThat(unitsAfterIdleGaps(context, lazy, 1)).isZero();
				assertThat(unitsAfterKills(context, lazy, url, 1)).isZero();
				assertThat(context.getBean(RetirementRecorder.class).dataSources()).isNotEmpty().containsOnly("pool");
			});
		assertThat(output).contains("DataSource 'lazy' wraps DataSource 'pool'")
			.containsOnlyOnce("manages DataSource 'pool'")
			.doesNotContain("manages DataSource 'lazy'");
	}

	@Configuration(proxyBeanMethods = false)
	static class PoolAndProxyConfiguration {

		@Bean
		org.apache.tomcat.jdbc.pool.DataSource pool(String url) {
			return PoolScenarios.tomcat(url, false);
		}

		@Bean
		@Primary
		LazyConnectionDataSourceProxy lazy(org.apache.tomcat.jdbc.pool.DataSource pool) {
			return new LazyConnectionDataSourceProxy(pool);
		}

	}

}
