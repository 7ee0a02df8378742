package io.github.connectionlifecycle.amqp;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.RabbitConnectionLifecycleAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When {@link RabbitConnectionLifecycleAutoConfiguration} applies, and how it composes with
 * the advice chain Boot configures.
 */
class RabbitConnectionLifecycleAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, RabbitConnectionLifecycleAutoConfiguration.class));

	@Test
	void addsTheUnitAdviceToBootsFactoryByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(RabbitWorkBoundariesPostProcessor.class);
			assertThat(context.getBean(SimpleRabbitListenerContainerFactory.class).getAdviceChain())
				.singleElement()
				.isInstanceOf(RabbitDeliveryUnitAdvice.class);
		});
	}

	@Test
	void makesEachAttemptOfTheRetryBootConfiguredAUnit() {
		this.contextRunner.withPropertyValues("spring.rabbitmq.listener.simple.retry.enabled=true")
			.run((context) -> assertThat(
					context.getBean(SimpleRabbitListenerContainerFactory.class).getAdviceChain())
				.singleElement()
				.isInstanceOf(RetryAttemptUnits.class));
	}

	@Test
	void backsOffWhenTheRabbitEntryPointIsDisabled() {
		this.contextRunner.withPropertyValues("connection.rabbit.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(RabbitWorkBoundariesPostProcessor.class);
			assertThat(context.getBean(SimpleRabbitListenerContainerFactory.class).getAdviceChain()).isNull();
		});
	}

	@Test
	void backsOffWhenConnectionLifecycleIsDisabled() {
		this.contextRunner.withPropertyValues("connection.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RabbitWorkBoundariesPostProcessor.class));
	}

	@Test
	void backsOffWhenSpringAmqpIsNotOnTheClasspath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.amqp."))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(RabbitWorkBoundariesPostProcessor.class));
	}

}
