package io.github.connectionlifecycle.kafka;

import java.util.function.Supplier;

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
final class WorkUnitRecordInterceptor<K, V> extends WorkUnitInterceptorSupport<RecordInterceptor<K, V>>
		implements RecordInterceptor<K, V> {

	WorkUnitRecordInterceptor(Supplier<WorkBoundaries> workBoundaries, @Nullable String listenerId,
			@Nullable RecordInterceptor<K, V> delegate) {
		super(workBoundaries, listenerId, delegate);
	}

	@Override
	public @Nullable ConsumerRecord<K, V> intercept(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
		openUnit(WorkKind.KAFKA_RECORD, record, WorkUnitRecordInterceptor::describe);
		RecordInterceptor<K, V> delegate = this.delegate;
		// A record the delegate skips (null) still ends in afterRecord.
		return (delegate != null) ? interceptByDelegate(() -> delegate.intercept(record, consumer)) : record;
	}

	@Override
	public void success(ConsumerRecord<K, V> record, Consumer<K, V> consumer) {
		if (this.delegate != null) {
			this.delegate.success(record, consumer);
		}
	}

	@Override
	public void failure(ConsumerRecord<K, V> record, Exception exception, Consumer<K, V> consumer) {
		failUnit(exception);
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
			closeUnit();
		}
	}

	private static String describe(ConsumerRecord<?, ?> record) {
		return record.topic() + "-" + record.partition() + "@" + record.offset();
	}

}
