package io.github.connectionlifecycle.amqp;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Method;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.config.StatelessRetryOperationsInterceptor;

/**
 * Stands in for a {@link StatelessRetryOperationsInterceptor} in an advice chain and makes
 * each of its attempts one unit of work. That interceptor repeats an attempt by calling
 * {@code proceed()} again on the same invocation, which goes straight to the listener: advice
 * after it in the chain sees the first attempt only, so no advice there can bracket each
 * attempt. Here the interceptor is handed an invocation whose every {@code proceed()} runs in
 * a unit of its own; what each attempt runs is unchanged.
 */
final class RetryAttemptUnits implements MethodInterceptor {

	private final StatelessRetryOperationsInterceptor retry;

	private final RabbitDeliveryUnitAdvice units;

	RetryAttemptUnits(StatelessRetryOperationsInterceptor retry, RabbitDeliveryUnitAdvice units) {
		this.retry = retry;
		this.units = units;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		return this.retry.invoke(new AttemptInUnit(invocation, this.units));
	}

	/**
	 * The delivery's invocation, each {@code proceed()} of which is one attempt in one unit.
	 */
	private record AttemptInUnit(MethodInvocation delivery, RabbitDeliveryUnitAdvice units)
			implements MethodInvocation {

		@Override
		public @Nullable Object proceed() throws Throwable {
			return this.units.invoke(this.delivery);
		}

		@Override
		public Method getMethod() {
			return this.delivery.getMethod();
		}

		@Override
		public Object[] getArguments() {
			return this.delivery.getArguments();
		}

		@Override
		public @Nullable Object getThis() {
			return this.delivery.getThis();
		}

		@Override
		public AccessibleObject getStaticPart() {
			return this.delivery.getStaticPart();
		}

	}

}
