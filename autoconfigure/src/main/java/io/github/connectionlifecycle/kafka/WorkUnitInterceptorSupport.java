package io.github.connectionlifecycle.kafka;

import java.util.function.Function;
import java.util.function.Supplier;

import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkKind;
import io.github.connectionlifecycle.work.WorkScope;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.ThreadStateProcessor;
import org.springframework.kafka.support.KafkaUtils;

/**
 * Base of the interceptors that bracket deliveries: keeps the unit of work an interceptor
 * has open on each consumer thread, and the interceptor it wraps. Spring Kafka calls an
 * interceptor's callbacks in pairs that are not guaranteed to match (a finish without a
 * start after a deserialization failure, a start whose finish never comes when an
 * interceptor throws), so each unit operation here tolerates the other being missing, and
 * none of them throws into the container.
 *
 * @param <D> the type of the wrapped interceptor
 */
abstract class WorkUnitInterceptorSupport<D extends ThreadStateProcessor> implements ThreadStateProcessor {

	private static final Log logger = LogFactory.getLog(WorkUnitInterceptorSupport.class);

	private final Supplier<WorkBoundaries> workBoundaries;

	private final @Nullable String listenerId;

	private final ThreadLocal<WorkScope> openScope = new ThreadLocal<>();

	/** The interceptor configured before this one, called inside the unit. */
	protected final @Nullable D delegate;

	/**
	 * @param workBoundaries resolved at the first delivery, not when the container is set up
	 * @param listenerId names the units; {@code null} to name them after the consumer group
	 * @param delegate the interceptor configured before, if any
	 */
	WorkUnitInterceptorSupport(Supplier<WorkBoundaries> workBoundaries, @Nullable String listenerId,
			@Nullable D delegate) {
		this.workBoundaries = workBoundaries;
		this.listenerId = listenerId;
		this.delegate = delegate;
	}

	@Nullable D getDelegate() {
		return this.delegate;
	}

	@Override
	public void setupThreadState(Consumer<?, ?> consumer) {
		if (this.delegate != null) {
			this.delegate.setupThreadState(consumer);
		}
	}

	@Override
	public void clearThreadState(Consumer<?, ?> consumer) {
		try {
			if (this.delegate != null) {
				this.delegate.clearThreadState(consumer);
			}
		}
		finally {
			// The poll is over: no unit of this thread may outlive it.
			closeUnit();
		}
	}

	/**
	 * Opens a unit on this thread, first ending one this interceptor left open here.
	 * @param kind the kind of delivery
	 * @param delivery what is delivered
	 * @param describer describes the delivery, such as {@code orders-0@42}, when the unit's
	 * name is first asked for (a log, an event listener), not on every delivery
	 * @param <T> the type of the delivery
	 */
	protected final <T> void openUnit(WorkKind kind, T delivery, Function<T, String> describer) {
		closeUnit();
		try {
			UnitOfWork unit = UnitOfWork.of(kind, new Delivery<>(namePrefix(), delivery, describer), Delivery::name);
			this.openScope.set(this.workBoundaries.get().open(unit));
		}
		catch (Throwable ex) {
			logger.warn("Could not open a unit of work; the delivery goes on without one", ex);
		}
	}

	protected final void failUnit(Throwable failure) {
		WorkScope scope = this.openScope.get();
		if (scope != null) {
			scope.fail(failure);
		}
	}

	/**
	 * Ends the unit open on this thread, if any.
	 */
	protected final void closeUnit() {
		WorkScope scope = this.openScope.get();
		if (scope == null) {
			return;
		}
		this.openScope.remove();
		try {
			scope.close();
		}
		catch (Throwable ex) {
			logger.warn("Could not close a unit of work; the delivery goes on", ex);
		}
	}

	/**
	 * Calls the delegate's {@code intercept} inside the open unit. When it throws, the unit
	 * ends with that failure right away (Spring Kafka may not call a finishing callback
	 * then) and the exception goes on to the container unchanged.
	 * @param intercept the call to the delegate
	 * @param <T> what {@code intercept} returns
	 * @return what the delegate returned
	 */
	protected final <T> @Nullable T interceptByDelegate(Supplier<@Nullable T> intercept) {
		try {
			return intercept.get();
		}
		catch (RuntimeException | Error ex) {
			failUnit(ex);
			closeUnit();
			throw ex;
		}
	}

	/** Read on the consumer thread when the unit opens: the group id is thread state. */
	private String namePrefix() {
		if (this.listenerId != null) {
			return this.listenerId + " ";
		}
		String group = KafkaUtils.getConsumerGroupId();
		return (group != null) ? group + " " : "";
	}

	/**
	 * What a unit's name is made of, kept until the name is asked for.
	 */
	private record Delivery<T>(String prefix, T delivery, Function<T, String> describer) {

		String name() {
			return this.prefix + this.describer.apply(this.delivery);
		}

	}

}
