package io.github.connectionlifecycle.kafka;

import java.util.function.Supplier;

import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkKind;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.RecordInterceptor;

/**
 * Runs each delivery attempt of a record as a {@link WorkKind#KAFKA_RECORD} unit of work,
 * from {@link #intercept} to {@link #afterRecord}, around the interceptor that was
 * configured before, which is still called (inside the unit) and whose exceptions reach the
 * container exactly as they did without this wrapper.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
final class WorkUnitRecordInterceptor<K, V> implements RecordInterceptor<K, V> {

	private final ConsumerThreadUnits units;

	private final @Nullable RecordInterceptor<K, V> delegate;

	WorkUnitRecordInterceptor(Supplier<WorkBoundaries> workBoundaries, @Nullable String listenerId,
			@Nullable RecordInterceptor<K, V> delegate) {
		this.units = new ConsumerThreadUnits(workBoundaries, listenerId);
		this.delegate = delegate;
	}

	@Nullable RecordInterceptor<K, V> getDelegate() {
		return this.delegate;
	}

	@Override
	public @Nullable ConsumerRecord<K, V> intercept(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
		this.units.open(() -> new UnitOfWork(WorkKind.KAFKA_RECORD, this.units.namePrefix() + record.topic() + "-"
				+ record.partition() + "@" + record.offset()));
		if (this.delegate == null) {
			return record;
		}
		try {
			// A skipped record (null) still ends in afterRecord.
			return this.delegate.intercept(record, consumer);
		}
		catch (RuntimeException | Error ex) {
			this.units.closeFailed(ex);
			throw ex;
		}
	}

	@Override
	public void success(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
		if (this.delegate != null) {
			this.delegate.success(record, consumer);
		}
	}

	@Override
	public void failure(ConsumerRecord<K, V> record, Exception exception, Consumer<K, V> consumer) {
		this.units.fail(exception);
		if (this.delegate != null) {
			this.delegate.failure(record, exception, consumer);
		}
	}

	@Override
	public void afterRecord(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
		try {
			if (this.delegate != null) {
				this.delegate.afterRecord(record, consumer);
			}
		}
		finally {
			this.units.close();
		}
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
			this.units.close();
		}
	}

}
