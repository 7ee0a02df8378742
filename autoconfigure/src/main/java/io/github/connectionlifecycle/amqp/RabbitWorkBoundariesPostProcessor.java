package io.github.connectionlifecycle.amqp;

import java.lang.reflect.Method;
import java.util.Objects;
import java.util.function.Supplier;

import io.github.connectionlifecycle.work.WorkBoundaries;
import org.aopalliance.aop.Advice;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.config.BaseRabbitListenerContainerFactory;
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
 * The advice chain wraps each listener invocation. The unit's advice goes first, so that the
 * application's advice runs inside the unit, and a delivery is one unit. Where the chain has
 * a stateless retry interceptor, each attempt is a unit instead ({@link RetryAttemptUnits}):
 * an attempt after a connection-level failure then starts on a pool whose broken connection
 * and its idle siblings were retired, as the next delivery would; advice before that
 * interceptor runs once per delivery, outside the units. A stateful retry rethrows and the
 * broker redelivers, so each of its attempts is a delivery, and a unit, of its own.
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
	 * @return the chain with units per attempt of its stateless retry interceptors, or else
	 * with the unit's advice first; unchanged when it has units already (a container bean
	 * made by a post-processed factory)
	 */
	private Advice[] withDeliveryUnits(Advice[] chain, @Nullable String containerName) {
		RabbitDeliveryUnitAdvice units = new RabbitDeliveryUnitAdvice(this.workBoundaries, containerName);
		Advice[] withRetryAttemptUnits = chain.clone();
		boolean retried = false;
		for (int i = 0; i < chain.length; i++) {
			if (chain[i] instanceof RabbitDeliveryUnitAdvice || chain[i] instanceof RetryAttemptUnits) {
				return chain;
			}
			if (chain[i] instanceof StatelessRetryOperationsInterceptor retry) {
				withRetryAttemptUnits[i] = new RetryAttemptUnits(retry, units);
				retried = true;
			}
		}
		if (retried) {
			return withRetryAttemptUnits;
		}
		Advice[] withUnits = new Advice[chain.length + 1];
		withUnits[0] = units;
		System.arraycopy(chain, 0, withUnits, 1, chain.length);
		return withUnits;
	}

}
