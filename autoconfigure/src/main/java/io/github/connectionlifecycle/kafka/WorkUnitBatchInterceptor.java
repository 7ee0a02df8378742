package io.github.connectionlifecycle.kafka;

import java.util.List;
import java.util.function.Supplier;

import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkKind;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.BatchInterceptor;

/**
 * Runs each delivery attempt of a batch as a {@link WorkKind#KAFKA_BATCH} unit of work, from
 * {@link #intercept} to {@link #success} or {@link #failure} (batch listeners have no
 * {@code afterBatch}), around the interceptor that was configured before, which is still
 * called (inside the unit) and whose exceptions reach the container exactly as they did
 * without this wrapper.
 * <p>
 * With a Kafka transaction manager, {@code intercept} runs once before the transaction while
 * the error handler's in-memory retries of a failed batch call only {@code success} or
 * {@code failure}: the first attempt is a unit, the retries run outside one.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
final class WorkUnitBatchInterceptor<K, V> extends WorkUnitInterceptorSupport<BatchInterceptor<K, V>>
		implements BatchInterceptor<K, V> {

	WorkUnitBatchInterceptor(Supplier<WorkBoundaries> workBoundaries, @Nullable String listenerId,
			@Nullable BatchInterceptor<K, V> delegate) {
		super(workBoundaries, listenerId, delegate);
	}

	@Override
	public @Nullable ConsumerRecords<K, V> intercept(ConsumerRecords<K, V> records, Consumer<K, V> consumer) {
		openUnit(WorkKind.KAFKA_BATCH, records, WorkUnitBatchInterceptor::describe);
		BatchInterceptor<K, V> delegate = this.delegate;
		if (delegate == null) {
			return records;
		}
		ConsumerRecords<K, V> intercepted = interceptByDelegate(() -> delegate.intercept(records, consumer));
		if (intercepted == null) {
			// A skipped batch gets no success or failure callback.
			closeUnit();
		}
		return intercepted;
	}

	@Override
	public void success(ConsumerRecords<K, V> records, Consumer<K, V> consumer) {
		try {
			if (this.delegate != null) {
				this.delegate.success(records, consumer);
			}
		}
		finally {
			closeUnit();
		}
	}

	@Override
	public void failure(ConsumerRecords<K, V> records, Exception exception, Consumer<K, V> consumer) {
		failUnit(exception);
		try {
			if (this.delegate != null) {
				this.delegate.failure(records, exception, consumer);
			}
		}
		finally {
			closeUnit();
		}
	}

	/**
	 * Names a batch by the offsets it covers, such as {@code orders-0@10..14 orders-1@7..9}.
	 */
	private static String describe(ConsumerRecords<?, ?> records) {
		StringBuilder description = new StringBuilder();
		for (TopicPartition partition : records.partitions()) {
			List<? extends ConsumerRecord<?, ?>> inPartition = records.records(partition);
			if (inPartition.isEmpty()) {
				continue;
			}
			if (!description.isEmpty()) {
				description.append(' ');
			}
			description.append(partition)
				.append('@')
				.append(inPartition.get(0).offset())
				.append("..")
				.append(inPartition.get(inPartition.size() - 1).offset());
		}
		return description.toString();
	}

}
