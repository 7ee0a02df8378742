package io.github.connectionlifecycle.autoconfigure;

import java.util.List;

import io.github.connectionlifecycle.metrics.DataSourceLifecycleMeters;
import io.github.connectionlifecycle.metrics.SweepMeters;
import io.github.connectionlifecycle.metrics.UnitOfWorkMeters;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkKind;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionLifecycleMetricsAutoConfigurationTests {

	// No database is needed: nothing here borrows a connection.
	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, DataSourceConnectionLifecycleAutoConfiguration.class,
				ConnectionLifecycleMetricsAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:mysql://localhost:1/none", "connection.server-timeout-check=off",
				"management.metrics.use-global-registry=false");

	private final ApplicationContextRunner withRegistry = this.contextRunner.withConfiguration(AutoConfigurations.of(
			MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
			CompositeMeterRegistryAutoConfiguration.class));

	@Test
	void registersTheMetersWithTheRegistry() {
		this.withRegistry.run((context) -> {
			assertThat(context).hasSingleBean(UnitOfWorkMeters.class)
				.hasSingleBean(DataSourceLifecycleMeters.class)
				.hasSingleBean(SweepMeters.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			for (WorkKind kind : WorkKind.values()) {
				assertThat(registry.find("connection.lifecycle.units").tag("kind", kind.name()).meters())
					.as("units of kind %s", kind)
					.hasSize(2);
			}
			assertThat(registry.find("connection.lifecycle.retirements").tag("datasource", "dataSource").meters())
				.isNotEmpty();
			assertThat(registry.find("connection.lifecycle.sweep").functionTimer()).isNotNull();
			assertThat(registry.find("connection.lifecycle.listener.failures").functionCounter()).isNotNull();
		});
	}

	@Test
	void unitMetersAreABoundaryListener() {
		this.withRegistry.run((context) -> {
			context.getBean(WorkBoundaries.class).run("counted", () -> {
			});
			assertThat(context.getBean(MeterRegistry.class)
				.get("connection.lifecycle.units")
				.tags("kind", "PROGRAMMATIC", "outcome", "SUCCESS")
				.functionCounter()
				.count()).isEqualTo(1);
		});
	}

	@Test
	void backsOffWithoutMicrometer() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("io.micrometer."))
			.run(ConnectionLifecycleMetricsAutoConfigurationTests::hasNoMeters);
	}

	@Test
	void backsOffWithoutAMeterRegistry() {
		this.contextRunner.run(ConnectionLifecycleMetricsAutoConfigurationTests::hasNoMeters);
	}

	@Test
	void backsOffWhenMetersAreTurnedOff() {
		this.withRegistry.withPropertyValues("connection.metrics.enabled=false").run((context) -> {
			hasNoMeters(context);
			assertThat(context.getBean(MeterRegistry.class).find("connection.lifecycle.units").meters()).isEmpty();
		});
	}

	@Test
	void backsOffWhenTheStarterIsOff() {
		this.withRegistry.withPropertyValues("connection.enabled=false")
			.run(ConnectionLifecycleMetricsAutoConfigurationTests::hasNoMeters);
	}

	@Test
	void backsOffFromUserDefinedMeters() {
		this.withRegistry
			.withBean("myUnitMeters", UnitOfWorkMeters.class,
					() -> new UnitOfWorkMeters(new WorkBoundaries((event) -> {
					}, List::of)))
			.run((context) -> assertThat(context).hasSingleBean(UnitOfWorkMeters.class).hasBean("myUnitMeters"));
	}

	private static void hasNoMeters(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed()
			.doesNotHaveBean(UnitOfWorkMeters.class)
			.doesNotHaveBean(DataSourceLifecycleMeters.class)
			.doesNotHaveBean(SweepMeters.class);
	}

}
