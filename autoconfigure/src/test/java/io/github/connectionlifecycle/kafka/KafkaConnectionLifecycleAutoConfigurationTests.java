package io.github.connectionlifecycle.kafka;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.autoconfigure.KafkaConnectionLifecycleAutoConfiguration;
import io.github.connectionlifecycle.kafka.KafkaWorkBoundariesIntegrationTests.RecordingInterceptor;
import io.github.connectionlifecycle.kafka.KafkaWorkBoundariesIntegrationTests.UserFactoryConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When {@link KafkaConnectionLifecycleAutoConfiguration} applies, and how it composes with
 * the interceptors an application configures itself.
 */
class KafkaConnectionLifecycleAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class,
				ConnectionLifecycleAutoConfiguration.class, KafkaConnectionLifecycleAutoConfiguration.class));

	@Test
	void wrapsTheInterceptorsOfBootsFactoryByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(KafkaWorkBoundariesPostProcessor.class);
			ConcurrentKafkaListenerContainerFactory<?, ?> factory = context
				.getBean(ConcurrentKafkaListenerContainerFactory.class);
			assertThat(factory.getRecordInterceptor()).isInstanceOf(WorkUnitRecordInterceptor.class);
			assertThat(factory.getBatchInterceptor()).isInstanceOf(WorkUnitBatchInterceptor.class);
		});
	}

	@Test
	void backsOffWhenKafkaEntryPointIsDisabled() {
		this.contextRunner.withPropertyValues("connection.kafka.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(KafkaWorkBoundariesPostProcessor.class);
			assertThat(context.getBean(ConcurrentKafkaListenerContainerFactory.class).getRecordInterceptor())
				.isNull();
		});
	}

	@Test
	void backsOffWhenConnectionLifecycleIsDisabled() {
		this.contextRunner.withPropertyValues("connection.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(KafkaWorkBoundariesPostProcessor.class));
	}

	@Test
	void backsOffWhenSpringKafkaIsNotOnTheClasspath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.kafka."))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(KafkaWorkBoundariesPostProcessor.class));
	}

	@Test
	void composesWithTheUniqueRecordInterceptorBeanBootApplies() {
		this.contextRunner.withBean(RecordingInterceptor.class).run((context) -> {
			WorkUnitRecordInterceptor<?, ?> interceptor = (WorkUnitRecordInterceptor<?, ?>) context
				.getBean(ConcurrentKafkaListenerContainerFactory.class)
				.getRecordInterceptor();
			assertThat(interceptor.getDelegate()).isSameAs(context.getBean(RecordingInterceptor.class));
		});
	}

	@Test
	void composesWithTheInterceptorSetOnAUserDefinedFactory() {
		this.contextRunner.withUserConfiguration(UserFactoryConfiguration.class).run((context) -> {
			ConcurrentKafkaListenerContainerFactory<?, ?> factory = context.getBean("userFactory",
					ConcurrentKafkaListenerContainerFactory.class);
			WorkUnitRecordInterceptor<?, ?> interceptor = (WorkUnitRecordInterceptor<?, ?>) factory
				.getRecordInterceptor();
			assertThat(interceptor.getDelegate())
				.isSameAs(context.getBean(UserFactoryConfiguration.class).interceptor);
			assertThat(((WorkUnitBatchInterceptor<?, ?>) factory.getBatchInterceptor()).getDelegate()).isNull();
		});
	}

	@Test
	void doesNotWrapAContainerBeanTwiceWhenAPostProcessedFactoryMadeIt() {
		this.contextRunner
			.withUserConfiguration(UserFactoryConfiguration.class, ContainerFromUserFactoryConfiguration.class)
			.run((context) -> {
				ConcurrentMessageListenerContainer<?, ?> container = context
					.getBean(ConcurrentMessageListenerContainer.class);
				WorkUnitRecordInterceptor<?, ?> interceptor = (WorkUnitRecordInterceptor<?, ?>) container
					.getRecordInterceptor();
				assertThat(interceptor.getDelegate())
					.isSameAs(context.getBean(UserFactoryConfiguration.class).interceptor);
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class ContainerFromUserFactoryConfiguration {

		@Bean
		ConcurrentMessageListenerContainer<Object, Object> ordersContainer(
				ConcurrentKafkaListenerContainerFactory<Object, Object> userFactory) {
			ConcurrentMessageListenerContainer<Object, Object> container = userFactory.createContainer("orders");
			// Wiring only: no broker in these tests.
			container.setAutoStartup(false);
			return container;
		}

	}

}
