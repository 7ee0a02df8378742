package io.github.connectionlifecycle.autoconfigure;

import io.github.connectionlifecycle.actuate.ConnectionLifecycleEndpoint;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionLifecycleEndpointAutoConfigurationTests {

	// No database is needed: nothing here borrows a connection.
	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, DataSourceAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, DataSourceConnectionLifecycleAutoConfiguration.class,
				ConnectionLifecycleEndpointAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:mysql://localhost:1/none",
				"connection.server-timeout-check=off");

	@Test
	void isThereWhenExposed() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=connectionlifecycle")
			.run((context) -> {
				assertThat(context).hasSingleBean(ConnectionLifecycleEndpoint.class);
				assertThat(context.getBean(ConnectionLifecycleEndpoint.class).connectionLifecycle().dataSources())
					.containsOnlyKeys("dataSource");
			});
	}

	@Test
	void isNotThereUnlessExposed() {
		this.contextRunner
			.run(ConnectionLifecycleEndpointAutoConfigurationTests::hasNoEndpoint);
	}

	@Test
	void isNotThereWhenItsAccessIsNone() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=connectionlifecycle",
					"management.endpoint.connectionlifecycle.access=NONE")
			.run(ConnectionLifecycleEndpointAutoConfigurationTests::hasNoEndpoint);
	}

	@Test
	void isNotThereWithoutActuator() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=connectionlifecycle")
			.withClassLoader(new FilteredClassLoader(Endpoint.class))
			.run(ConnectionLifecycleEndpointAutoConfigurationTests::hasNoEndpoint);
	}

	@Test
	void isNotThereWhenTheStarterIsOff() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=connectionlifecycle",
					"connection.enabled=false")
			.run(ConnectionLifecycleEndpointAutoConfigurationTests::hasNoEndpoint);
	}

	@Test
	void backsOffFromAUserDefinedEndpoint() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=connectionlifecycle")
			.withBean("myEndpoint", ConnectionLifecycleEndpoint.class)
			.run((context) -> assertThat(context).hasSingleBean(ConnectionLifecycleEndpoint.class).hasBean("myEndpoint"));
	}

	private static void hasNoEndpoint(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed().doesNotHaveBean(ConnectionLifecycleEndpoint.class);
	}

}
