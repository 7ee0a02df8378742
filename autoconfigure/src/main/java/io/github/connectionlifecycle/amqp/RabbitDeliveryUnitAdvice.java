package io.github.connectionlifecycle.amqp;

import java.util.List;
import java.util.function.Supplier;

import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.UnitOfWorkInterceptor;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkKind;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;

/**
 * Advice of a listener container's advice chain, around its listener invocation: each
 * invocation (one message for record listeners, a list of messages for batch listeners) is
 * one {@link WorkKind#RABBIT_MESSAGE} or {@link WorkKind#RABBIT_BATCH} unit of work on the
 * consumer thread, named {@code [container ]queue#deliveryTag}.
 */
final class RabbitDeliveryUnitAdvice implements MethodInterceptor {

	private final UnitOfWorkInterceptor units;

	private final String namePrefix;

	/**
	 * @param workBoundaries resolved at the first delivery, not when the container is set up
	 * @param containerName names the units of a container bean; {@code null} for the
	 * containers of a factory, whose consumer threads are named after the listener
	 */
	RabbitDeliveryUnitAdvice(Supplier<@Nullable WorkBoundaries> workBoundaries, @Nullable String containerName) {
		this.units = new UnitOfWorkInterceptor(workBoundaries, this::unitFor);
		this.namePrefix = (containerName != null) ? containerName + " " : "";
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		return this.units.invoke(invocation);
	}

	/** The container calls {@code invokeListener(Channel, Object data)}. */
	private UnitOfWork unitFor(MethodInvocation invocation) {
		Object data = invocation.getArguments()[1];
		WorkKind kind = (data instanceof List) ? WorkKind.RABBIT_BATCH : WorkKind.RABBIT_MESSAGE;
		return UnitOfWork.of(kind, new Delivery(this.namePrefix, data), Delivery::name);
	}

	/**
	 * What a unit's name is made of, kept until the name is asked for.
	 */
	private record Delivery(String prefix, Object data) {

		String name() {
			if (this.data instanceof Message message) {
				return this.prefix + describe(message);
			}
			if (this.data instanceof List<?> batch && !batch.isEmpty()
					&& batch.get(0) instanceof Message first && batch.get(batch.size() - 1) instanceof Message last) {
				return this.prefix + describe(first) + ".." + last.getMessageProperties().getDeliveryTag();
			}
			return this.prefix + "delivery";
		}

		private static String describe(Message message) {
			MessageProperties properties = message.getMessageProperties();
			return properties.getConsumerQueue() + "#" + properties.getDeliveryTag();
		}

	}

}
