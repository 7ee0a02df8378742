package io.github.connectionlifecycle.amqp;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

import io.github.connectionlifecycle.work.WorkBoundaries;
import org.aopalliance.aop.Advice;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.config.BaseRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.config.StatefulRetryOperationsInterceptor;
import org.springframework.amqp.rabbit.config.StatelessRetryOperationsInterceptor;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.util.Assert;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.function.SingletonSupplier;

/**
 * Makes every RabbitMQ delivery attempt a unit of work, by adding a
 * {@link RabbitDeliveryUnitAdvice} to the advice chain of every
 * {@link BaseRabbitListenerContainerFactory} bean (so every container it creates,
 * {@code @RabbitListener} ones included, {@code SimpleMessageListenerContainer} and
 * {@code DirectMessageListenerContainer} alike) and of every
 * {@link AbstractMessageListenerContainer} bean. The chain already set there is kept.
 * <p>
 * The advice chain wraps each listener invocation. The unit's advice goes right inside the
 * last of Spring AMQP's retry interceptors, so that each attempt of a stateless retry is a
 * unit of its own (an attempt after a connection-level failure then starts on a pool whose
 * broken connections were retired), and before every other advice, so that the
 * application's advice runs inside the unit. A stateful retry rethrows and the broker
 * redelivers, so each of its attempts is a delivery, and a unit, anyway.
 */
public final class RabbitWorkBoundariesPostProcessor implements BeanPostProcessor {

	/** Protected in Spring AMQP; read so that a container bean's own advice is kept. */
	private static final Method GET_ADVICE_CHAIN = Objects
		.requireNonNull(ReflectionUtils.findMethod(AbstractMessageListenerContainer.class, "getAdviceChain"));

	static {
		ReflectionUtils.makeAccessible(GET_ADVICE_CHAIN);
	}

	private final Supplier<@Nullable WorkBoundaries> workBoundaries;

	/**
	 * Creates a post-processor that resolves the {@link WorkBoundaries} at the first delivery.
	 * @param workBoundaries where units of work are opened
	 */
	public RabbitWorkBoundariesPostProcessor(ObjectProvider<WorkBoundaries> workBoundaries) {
		Assert.notNull(workBoundaries, "workBoundaries must not be null");
		this.workBoundaries = SingletonSupplier.of(workBoundaries::getIfAvailable);
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		// Before afterPropertiesSet(), which builds the container's advice proxy.
		if (bean instanceof AbstractMessageListenerContainer container) {
			Advice[] chain = (Advice[]) ReflectionUtils.invokeMethod(GET_ADVICE_CHAIN, container);
			container.setAdviceChain(withDeliveryUnits((chain != null) ? chain : new Advice[0], beanName));
		}
		return bean;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof BaseRabbitListenerContainerFactory<?> factory) {
			Advice[] chain = factory.getAdviceChain();
			factory.setAdviceChain(withDeliveryUnits((chain != null) ? chain : new Advice[0], null));
		}
		return bean;
	}

	/**
	 * @param chain the advice chain configured before
	 * @param containerName names the units of a container bean, {@code null} for a factory
	 * @return the chain with the unit's advice, unchanged when it has it already (a container
	 * bean made by a post-processed factory)
	 */
	private Advice[] withDeliveryUnits(Advice[] chain, @Nullable String containerName) {
		int position = 0;
		for (int i = 0; i < chain.length; i++) {
			if (chain[i] instanceof RabbitDeliveryUnitAdvice) {
				return chain;
			}
			if (chain[i] instanceof StatelessRetryOperationsInterceptor
					|| chain[i] instanceof StatefulRetryOperationsInterceptor) {
				position = i + 1;
			}
		}
		Advice[] withUnits = Arrays.copyOf(chain, chain.length + 1);
		System.arraycopy(chain, position, withUnits, position + 1, chain.length - position);
		withUnits[position] = new RabbitDeliveryUnitAdvice(this.workBoundaries, containerName);
		return withUnits;
	}

}
