package io.github.connectionlifecycle.stream;

import java.lang.reflect.Modifier;
import java.util.function.Supplier;

import io.github.connectionlifecycle.kafka.KafkaWorkBoundariesPostProcessor;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.NameMatchMethodPointcutAdvisor;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.cloud.stream.config.ListenerContainerCustomizer;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;

/**
 * Gives every listener container of Spring Cloud Stream's Kafka binder the record and batch
 * units of {@code @KafkaListener} containers. The binder creates its containers in code and
 * hands each to the application's {@link ListenerContainerCustomizer} bean, if there is
 * exactly one: a second customizer bean would make the binder's lookup fail. So this is
 * that bean when the application has none ({@link #customizer}), and otherwise a
 * post-processor that adds the units after every {@code configure} call of the
 * application's customizer, behind a proxy of its class, or of its interfaces when the class
 * is final (a lambda): either keeps the interfaces, which the binder tells apart
 * ({@code KafkaListenerContainerCustomizer}, {@code ListenerContainerWithDlqAndRetryCustomizer}),
 * so the customizer keeps doing what it did, and interceptors it sets are composed with.
 */
public final class BinderContainerWorkUnits implements BeanPostProcessor {

	private final Supplier<KafkaWorkBoundariesPostProcessor> kafkaWorkUnits;

	/**
	 * @param kafkaWorkUnits the Kafka entry point, resolved at the first container
	 */
	public BinderContainerWorkUnits(Supplier<KafkaWorkBoundariesPostProcessor> kafkaWorkUnits) {
		this.kafkaWorkUnits = kafkaWorkUnits;
	}

	/**
	 * The customizer to use when the application has none.
	 * @return a customizer that adds the units and does nothing else
	 */
	public ListenerContainerCustomizer<AbstractMessageListenerContainer<?, ?>> customizer() {
		return new UnitsOnlyCustomizer(this);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (!(bean instanceof ListenerContainerCustomizer<?>) || bean instanceof UnitsOnlyCustomizer) {
			return bean;
		}
		ProxyFactory proxyFactory = new ProxyFactory(bean);
		proxyFactory.setProxyTargetClass(!Modifier.isFinal(bean.getClass().getModifiers()));
		proxyFactory.addAdvisor(new NameMatchMethodPointcutAdvisor(new AddUnitsAfterConfigure(this)) {

			{
				setMappedName("configure");
			}

		});
		return proxyFactory.getProxy(bean.getClass().getClassLoader());
	}

	void addUnits(@Nullable Object container) {
		if (container instanceof AbstractMessageListenerContainer<?, ?> kafkaContainer) {
			this.kafkaWorkUnits.get().addWorkUnits(kafkaContainer);
		}
	}

	private record UnitsOnlyCustomizer(BinderContainerWorkUnits units)
			implements ListenerContainerCustomizer<AbstractMessageListenerContainer<?, ?>> {

		@Override
		public void configure(AbstractMessageListenerContainer<?, ?> container, String destinationName,
				String group) {
			this.units.addUnits(container);
		}

	}

	private record AddUnitsAfterConfigure(BinderContainerWorkUnits units) implements MethodInterceptor {

		@Override
		public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
			Object result = invocation.proceed();
			Object[] arguments = invocation.getArguments();
			if (arguments.length > 0) {
				// Idempotent: a configure method that calls another one adds the units once.
				this.units.addUnits(arguments[0]);
			}
			return result;
		}

	}

}
