package io.github.connectionlifecycle.jms;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.JmsConnectionLifecycleAutoConfiguration;
import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jms.autoconfigure.JmsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jms.config.DefaultJmsListenerContainerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When {@link JmsConnectionLifecycleAutoConfiguration} applies.
 */
class JmsConnectionLifecycleAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JmsAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, JmsConnectionLifecycleAutoConfiguration.class))
		// Never connected: no listener in these tests.
		.withBean(ConnectionFactory.class, () -> new ActiveMQConnectionFactory("vm://0"));

	@Test
	void advisesTheContainersOfBootsFactoryByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(JmsWorkBoundariesPostProcessor.class);
			assertThat(AopUtils.isCglibProxy(context.getBean(DefaultJmsListenerContainerFactory.class))).isTrue();
		});
	}

	@Test
	void backsOffWhenTheJmsEntryPointIsDisabled() {
		this.contextRunner.withPropertyValues("connection.jms.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(JmsWorkBoundariesPostProcessor.class);
			assertThat(AopUtils.isAopProxy(context.getBean(DefaultJmsListenerContainerFactory.class))).isFalse();
		});
	}

	@Test
	void backsOffWhenConnectionLifecycleIsDisabled() {
		this.contextRunner.withPropertyValues("connection.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(JmsWorkBoundariesPostProcessor.class));
	}

	@Test
	void backsOffWhenSpringJmsIsNotOnTheClasspath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.jms."))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(JmsWorkBoundariesPostProcessor.class));
	}

}
