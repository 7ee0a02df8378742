package io.github.connectionlifecycle.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.connectionlifecycle.jdbc.CleanupPolicy;
import io.github.connectionlifecycle.jdbc.DefaultSessionStateSqlDetector;
import io.github.connectionlifecycle.jdbc.SessionStateSqlDetector;
import io.github.connectionlifecycle.jdbc.interception.ConnectionLifecycleCleanup;
import io.github.connectionlifecycle.jdbc.interception.ConnectionLifecycleDataSourcePostProcessor;
import io.github.connectionlifecycle.jdbc.interception.IdleConnectionSweeper;
import io.github.connectionlifecycle.jdbc.interception.ManagedDataSourceProxy;
import io.github.connectionlifecycle.jdbc.pool.PoolAdapter;
import io.github.connectionlifecycle.jdbc.pool.PoolAdapterFactory;
import io.github.connectionlifecycle.work.WorkBoundaries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

class ConnectionLifecycleAutoConfigurationTests {

	// No database is needed: nothing here borrows a connection.
	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, DataSourceConnectionLifecycleAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:mysql://localhost:1/none", "connection.server-timeout-check=off");

	@Test
	void putsDataSourcesUnderTheLifecycleByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(WorkBoundaries.class)
				.hasSingleBean(ConnectionLifecycleCleanup.class)
				.hasSingleBean(ConnectionLifecycleDataSourcePostProcessor.class);
			DataSource dataSource = context.getBean(DataSource.class);
			assertThat(dataSource instanceof ManagedDataSourceProxy).isTrue();
			assertThat(context.getBean(HikariDataSource.class)).as("still injectable by the pool's type").isNotNull();
		});
	}

	@Test
	void backsOffEntirelyWhenDisabled() {
		this.contextRunner.withPropertyValues("connection.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(WorkBoundaries.class)
				.doesNotHaveBean(ConnectionLifecycleCleanup.class)
				.doesNotHaveBean(ConnectionLifecycleDataSourcePostProcessor.class);
			assertThat(context.getBean(DataSource.class) instanceof ManagedDataSourceProxy).isFalse();
		});
	}

	@Test
	void backsOffFromAUserDefinedWorkBoundaries() {
		this.contextRunner
			.withBean("myBoundaries", WorkBoundaries.class, () -> new WorkBoundaries((event) -> {
			}, List::of))
			.run((context) -> assertThat(context).hasSingleBean(WorkBoundaries.class).hasBean("myBoundaries"));
	}

	@Test
	void backsOffFromAUserDefinedCleanup() {
		this.contextRunner
			.withBean("myCleanup", ConnectionLifecycleCleanup.class,
					() -> new ConnectionLifecycleCleanup(DefaultSessionStateSqlDetector.INSTANCE))
			.run((context) -> assertThat(context).hasSingleBean(ConnectionLifecycleCleanup.class).hasBean("myCleanup"));
	}

	@Test
	void backsOffFromAUserDefinedSweeper() {
		this.contextRunner
			.withBean("mySweeper", IdleConnectionSweeper.class,
					() -> new IdleConnectionSweeper(new ConnectionLifecycleCleanup(SessionStateSqlDetector.NONE), null))
			.run((context) -> assertThat(context).hasSingleBean(IdleConnectionSweeper.class).hasBean("mySweeper"));
	}

	@Test
	void detectsSessionStateSqlByDefaultAndNotWhenSwitchedOff() {
		this.contextRunner.run((context) -> assertThat(context.getBean(SessionStateSqlDetector.class))
			.isSameAs(DefaultSessionStateSqlDetector.INSTANCE));
		this.contextRunner.withPropertyValues("connection.session-state-sql-check=false")
			.run((context) -> assertThat(context.getBean(SessionStateSqlDetector.class))
				.isSameAs(SessionStateSqlDetector.NONE));
	}

	@Test
	void usesTheUsersSessionStateSqlDetector() {
		SessionStateSqlDetector own = (sql) -> sql.contains("GET_LOCK");
		this.contextRunner.withBean(SessionStateSqlDetector.class, () -> own)
			.run((context) -> assertThat(context.getBean(SessionStateSqlDetector.class)).isSameAs(own));
	}

	@Test
	void asksTheUsersPoolAdapterFactoriesFirst() {
		PoolAdapter adapter = mock(PoolAdapter.class);
		given(adapter.describe()).willReturn("my pool");
		List<DataSource> asked = new ArrayList<>();
		this.contextRunner.withBean(PoolAdapterFactory.class, () -> (dataSource) -> {
			asked.add(dataSource);
			return adapter;
		}).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(asked).singleElement().isInstanceOf(HikariDataSource.class);
		});
	}

	@Test
	void leavesExcludedDataSourcesAlone() {
		this.contextRunner.withPropertyValues("connection.excluded-data-sources=dataSource")
			.run((context) -> assertThat(context.getBean(DataSource.class) instanceof ManagedDataSourceProxy).isFalse());
	}

	@Test
	void keepsTheUnitOfWorkModelWithoutJdbcOnTheClasspath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(DataSourceUnwrapper.class))
			.run((context) -> assertThat(context).hasSingleBean(WorkBoundaries.class)
				.doesNotHaveBean(ConnectionLifecycleCleanup.class));
	}

	@Test
	void handlesOtherDataSourcesWithoutHikariOnTheClasspath() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ConnectionLifecycleAutoConfiguration.class,
					DataSourceConnectionLifecycleAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(HikariDataSource.class))
			.withPropertyValues("connection.server-timeout-check=off")
			.withBean("dataSource", DataSource.class, () -> new SimpleDriverDataSource())
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(ConnectionLifecycleCleanup.class);
				assertThat(context.getBean(DataSource.class) instanceof ManagedDataSourceProxy).isTrue();
			});
	}

	@Test
	void rejectsNegativeMaxAgeNamingTheProperty() {
		this.contextRunner.withPropertyValues("connection.max-age=-5s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("connection.max-age must not be negative")
				.hasMessageContaining("remove the property for no age limit");
		});
	}

	@Test
	void rejectsMalformedMaxAgeNamingTheProperty() {
		this.contextRunner.withPropertyValues("connection.max-age=ten minutes").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).cause().hasMessageContaining("under 'connection.max-age'");
		});
	}

	@Test
	void rejectsNonPositiveMaxIdleNamingTheProperty() {
		this.contextRunner.withPropertyValues("connection.max-idle=0").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("connection.max-idle must be positive");
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "-1s", "50ms" })
	void rejectsALivenessCheckIntervalBelow100MillisNamingTheProperty(String interval) {
		this.contextRunner.withPropertyValues("connection.liveness-check-interval=" + interval).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("connection.liveness-check-interval must be 0 (off) or at least 100ms");
		});
	}

	@Test
	void turnsTheLivenessCheckOffWithZero() {
		this.contextRunner.withPropertyValues("connection.liveness-check-interval=0")
			.run((context) -> assertThat(context.getBean(CleanupPolicy.class).livenessCheckInterval()).isNull());
	}

	@Test
	void retiresOnReadOnlyErrorsByDefaultAndNotWhenSwitchedOff() {
		this.contextRunner
			.run((context) -> assertThat(context.getBean(CleanupPolicy.class).retiresOnReadOnlyErrors()).isTrue());
		this.contextRunner.withPropertyValues("connection.retire-on-read-only-errors=false")
			.run((context) -> assertThat(context.getBean(CleanupPolicy.class).retiresOnReadOnlyErrors()).isFalse());
	}

	@Test
	void rejectsUnknownServerTimeoutCheckNamingTheProperty() {
		this.contextRunner.withPropertyValues("connection.server-timeout-check=sometimes").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).cause()
				.hasMessageContaining("under 'connection.server-timeout-check'");
		});
	}

}
