package io.github.connectionlifecycle.jdbc.interception;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.DataSourceConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.testsupport.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slow start-up: a bean borrows a connection early (as a schema initializer does), then
 * start-up takes longer than the server's wait_timeout. The starter reads the timeout from
 * that first borrow, so it does not borrow a connection the server has closed at the end of
 * start-up, and HikariCP has nothing to validate and warn about.
 */
@ExtendWith(OutputCaptureExtension.class)
class ServerIdleTimeoutStartupIntegrationTest {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, DataSourceConnectionLifecycleAutoConfiguration.class))
		.withPropertyValues("spring.datasource.username=" + EmbeddedMariaDb.username(),
				"spring.datasource.password=" + EmbeddedMariaDb.password(),
				"spring.datasource.url=" + EmbeddedMariaDb.createDatabase("slow_startup"));

	@Test
	void readsTheServerTimeoutFromTheFirstBorrowNotFromAConnectionThatIdledThroughStartUp(CapturedOutput output) {
		this.contextRunner.withBean(EarlyBorrower.class).withBean(SlowBean.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(ConnectionLifecycleCleanup.class).dataSources().get(0).idleLimitNanos())
				.as("idle limit from the server's wait_timeout").isLessThan(Long.MAX_VALUE);
		});
		assertThat(output).doesNotContain("Failed to validate connection");
	}

	/** Borrows as a schema initializer does while the context starts. */
	static class EarlyBorrower implements InitializingBean {

		private final DataSource dataSource;

		EarlyBorrower(DataSource dataSource) {
			this.dataSource = dataSource;
		}

		@Override
		public void afterPropertiesSet() throws SQLException {
			try (Connection connection = this.dataSource.getConnection()) {
				Sql.queryLong(connection, "SELECT 1", 1);
			}
		}

	}

	/** A start-up longer than the embedded server's wait_timeout. */
	static class SlowBean implements InitializingBean {

		SlowBean(EarlyBorrower earlier) {
		}

		@Override
		public void afterPropertiesSet() throws InterruptedException {
			Thread.sleep((EmbeddedMariaDb.WAIT_TIMEOUT_SECONDS + 1) * 1000L); // the slow start-up is the scenario
		}

	}

}
