package io.github.connectionlifecycle.kafka;

import java.util.List;
import java.util.function.Supplier;

import io.github.connectionlifecycle.work.UnitOfWork;
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
 *
 * @param <K> the key type
 * @param <V> the value type
 */
final class WorkUnitBatchInterceptor<K, V> implements BatchInterceptor<K, V> {

	private final ConsumerThreadUnits units;

	private final @Nullable BatchInterceptor<K, V> delegate;

	WorkUnitBatchInterceptor(Supplier<WorkBoundaries> workBoundaries, @Nullable String listenerId,
			@Nullable BatchInterceptor<K, V> delegate) {
		this.units = new ConsumerThreadUnits(workBoundaries, listenerId);
		this.delegate = delegate;
	}

	@Nullable BatchInterceptor<K, V> getDelegate() {
		return this.delegate;
	}

	@Override
	public @Nullable ConsumerRecords<K, V> intercept(ConsumerRecords<K, V> records, Consumer<K, V> consumer) {
		this.units.open(() -> new UnitOfWork(WorkKind.KAFKA_BATCH, this.units.namePrefix() + describe(records)));
		if (this.delegate == null) {
			return records;
		}
		ConsumerRecords<K, V> intercepted;
		try {
			intercepted = this.delegate.intercept(records, consumer);
		}
		catch (RuntimeException | Error ex) {
			this.units.closeFailed(ex);
			throw ex;
		}
		if (intercepted == null) {
			// A skipped batch gets no success or failure callback.
			this.units.close();
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
			this.units.close();
		}
	}

	@Override
	public void failure(ConsumerRecords<K, V> records, Exception exception, Consumer<K, V> consumer) {
		this.units.fail(exception);
		try {
			if (this.delegate != null) {
				this.delegate.failure(records, exception, consumer);
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
