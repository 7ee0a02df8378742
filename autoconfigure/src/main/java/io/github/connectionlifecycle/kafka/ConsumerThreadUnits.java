package io.github.connectionlifecycle.kafka;

import java.util.function.Supplier;

import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkScope;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.support.KafkaUtils;

/**
 * The unit of work an interceptor has open on each consumer thread. Spring Kafka calls an
 * interceptor's callbacks in pairs that are not guaranteed to match (a finish without a start
 * after a deserialization failure, a start whose finish never comes when the interceptor
 * itself throws), so every call here tolerates the other being missing, and none of them
 * throws into the container.
 */
final class ConsumerThreadUnits {

	private static final Log logger = LogFactory.getLog(ConsumerThreadUnits.class);

	private final Supplier<WorkBoundaries> workBoundaries;

	private final @Nullable String listenerId;

	private final ThreadLocal<WorkScope> openScope = new ThreadLocal<>();

	/**
	 * @param workBoundaries resolved at the first delivery, not when the container is set up
	 * @param listenerId names the units; {@code null} to name them after the consumer group
	 */
	ConsumerThreadUnits(Supplier<WorkBoundaries> workBoundaries, @Nullable String listenerId) {
		this.workBoundaries = workBoundaries;
		this.listenerId = listenerId;
	}

	/**
	 * Opens a unit on this thread, first ending one this interceptor left open here.
	 * @param unit builds the unit; called only when the unit is actually opened
	 */
	void open(Supplier<UnitOfWork> unit) {
		close();
		try {
			this.openScope.set(this.workBoundaries.get().open(unit.get()));
		}
		catch (Throwable ex) {
			logger.warn("Could not open a unit of work; the delivery goes on without one", ex);
		}
	}

	void fail(Throwable failure) {
		WorkScope scope = this.openScope.get();
		if (scope != null) {
			scope.fail(failure);
		}
	}

	/**
	 * Ends the unit open on this thread, if any.
	 */
	void close() {
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
	 * Ends the unit open on this thread as failed, when a delegate interceptor threw before
	 * the listener ran: Spring Kafka may not call the finishing callback then.
	 * @param failure what the delegate threw
	 */
	void closeFailed(Throwable failure) {
		fail(failure);
		close();
	}

	/**
	 * The first part of a unit's name: the listener id, else the consumer group.
	 * @return a name prefix, possibly empty
	 */
	String namePrefix() {
		if (this.listenerId != null) {
			return this.listenerId + " ";
		}
		String group = KafkaUtils.getConsumerGroupId();
		return (group != null) ? group + " " : "";
	}

}
