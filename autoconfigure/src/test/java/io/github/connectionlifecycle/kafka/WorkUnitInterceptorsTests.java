package io.github.connectionlifecycle.kafka;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkFinishedEvent;
import io.github.connectionlifecycle.work.WorkKind;
import io.github.connectionlifecycle.work.WorkStartedEvent;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.RecordInterceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

/**
 * The callback sequences Spring Kafka produces besides the happy path, driven directly.
 */
class WorkUnitInterceptorsTests {

	private final List<Object> events = new CopyOnWriteArrayList<>();

	private final WorkBoundaries workBoundaries = new WorkBoundaries(this.events::add, List::of);

	@SuppressWarnings("unchecked")
	private final Consumer<String, String> consumer = mock(Consumer.class);

	private final ConsumerRecord<String, String> first = new ConsumerRecord<>("orders", 0, 41, "k", "a");

	private final ConsumerRecord<String, String> second = new ConsumerRecord<>("orders", 0, 42, "k", "b");

	@Test
	void afterRecordWithoutInterceptFiresNothing() {
		WorkUnitRecordInterceptor<String, String> interceptor = recordInterceptor(null);
		interceptor.failure(this.first, new IllegalStateException("deserialization"), this.consumer);
		interceptor.afterRecord(this.first, this.consumer);
		assertThat(this.events).isEmpty();
	}

	@Test
	void interceptWhileAStaleUnitIsOpenEndsTheStaleUnitFirst() {
		WorkUnitRecordInterceptor<String, String> interceptor = recordInterceptor(null);
		interceptor.intercept(this.first, this.consumer);
		interceptor.intercept(this.second, this.consumer);
		assertThat(this.events).hasSize(3);
		assertThat(((WorkStartedEvent) this.events.get(0)).getUnit().name()).isEqualTo("orders-0@41");
		assertThat(((WorkFinishedEvent) this.events.get(1)).getUnit().name()).isEqualTo("orders-0@41");
		assertThat(((WorkStartedEvent) this.events.get(2)).getUnit().name()).isEqualTo("orders-0@42");
	}

	@Test
	void skippedRecordEndsItsUnitInAfterRecord() {
		RecordInterceptor<String, String> delegate = recordDelegate();
		WorkUnitRecordInterceptor<String, String> interceptor = recordInterceptor(delegate);
		assertThat(interceptor.intercept(this.first, this.consumer)).isNull();
		assertThat(this.workBoundaries.currentUnit()).isNotNull();
		interceptor.afterRecord(this.first, this.consumer);
		assertThat(this.workBoundaries.currentUnit()).isNull();
		assertThat(finished()).singleElement().satisfies((event) -> assertThat(event.isFailed()).isFalse());
	}

	@Test
	void exceptionFromTheDelegatesInterceptPropagatesAndEndsTheUnitWithIt() {
		RecordInterceptor<String, String> delegate = recordDelegate();
		IllegalStateException failure = new IllegalStateException("delegate failed");
		given(delegate.intercept(this.second, this.consumer)).willThrow(failure);
		WorkUnitRecordInterceptor<String, String> interceptor = recordInterceptor(delegate);
		assertThatIllegalStateException().isThrownBy(() -> interceptor.intercept(this.second, this.consumer))
			.isSameAs(failure);
		assertThat(finished()).singleElement().satisfies((event) -> assertThat(event.getFailure()).isSameAs(failure));
		interceptor.afterRecord(this.second, this.consumer);
		assertThat(finished()).hasSize(1);
	}

	@Test
	void exceptionFromTheDelegatesAfterRecordPropagatesAndTheUnitStillEnds() {
		RecordInterceptor<String, String> delegate = recordDelegate();
		given(delegate.intercept(this.first, this.consumer)).willReturn(this.first);
		willThrow(new IllegalStateException("after failed")).given(delegate).afterRecord(this.first, this.consumer);
		WorkUnitRecordInterceptor<String, String> interceptor = recordInterceptor(delegate);
		interceptor.intercept(this.first, this.consumer);
		assertThatIllegalStateException().isThrownBy(() -> interceptor.afterRecord(this.first, this.consumer));
		assertThat(finished()).hasSize(1);
		assertThat(this.workBoundaries.currentUnit()).isNull();
	}

	@Test
	void unavailableWorkBoundariesNeverThrowIntoTheContainer() {
		WorkUnitRecordInterceptor<String, String> interceptor = new WorkUnitRecordInterceptor<>(() -> {
			throw new IllegalStateException("no WorkBoundaries");
		}, null, null);
		assertThat(interceptor.intercept(this.first, this.consumer)).isSameAs(this.first);
		interceptor.afterRecord(this.first, this.consumer);
	}

	@Test
	void endOfPollEndsAUnitNoCallbackEnded() {
		RecordInterceptor<String, String> delegate = recordDelegate();
		WorkUnitRecordInterceptor<String, String> interceptor = recordInterceptor(delegate);
		interceptor.setupThreadState(this.consumer);
		interceptor.intercept(this.first, this.consumer);
		interceptor.clearThreadState(this.consumer);
		assertThat(finished()).hasSize(1);
		verify(delegate).setupThreadState(this.consumer);
		verify(delegate).clearThreadState(this.consumer);
	}

	@Test
	void skippedBatchEndsItsUnitAtOnce() {
		@SuppressWarnings("unchecked")
		BatchInterceptor<String, String> delegate = mock(BatchInterceptor.class);
		WorkUnitBatchInterceptor<String, String> interceptor = batchInterceptor(delegate);
		assertThat(interceptor.intercept(batch(), this.consumer)).isNull();
		assertThat(this.workBoundaries.currentUnit()).isNull();
		assertThat(finished()).singleElement()
			.satisfies((event) -> assertThat(event.getUnit().kind()).isEqualTo(WorkKind.KAFKA_BATCH));
	}

	@Test
	void batchFailureEndsTheUnitWithTheFailure() {
		WorkUnitBatchInterceptor<String, String> interceptor = batchInterceptor(null);
		ConsumerRecords<String, String> batch = batch();
		IllegalStateException failure = new IllegalStateException("listener failed");
		interceptor.intercept(batch, this.consumer);
		interceptor.failure(batch, failure, this.consumer);
		interceptor.success(batch, this.consumer);
		assertThat(this.events).hasSize(2);
		assertThat(started().get(0).getUnit().name()).isEqualTo("orders-0@41..42");
		assertThat(finished()).singleElement().satisfies((event) -> assertThat(event.getFailure()).isSameAs(failure));
	}

	private WorkUnitRecordInterceptor<String, String> recordInterceptor(RecordInterceptor<String, String> delegate) {
		return new WorkUnitRecordInterceptor<>(() -> this.workBoundaries, null, delegate);
	}

	private WorkUnitBatchInterceptor<String, String> batchInterceptor(BatchInterceptor<String, String> delegate) {
		return new WorkUnitBatchInterceptor<>(() -> this.workBoundaries, null, delegate);
	}

	/**
	 * A delegate whose intercept skips the record (returns null) unless stubbed otherwise.
	 */
	@SuppressWarnings("unchecked")
	private static RecordInterceptor<String, String> recordDelegate() {
		return mock(RecordInterceptor.class);
	}

	private ConsumerRecords<String, String> batch() {
		return new ConsumerRecords<>(Map.of(new TopicPartition("orders", 0), List.of(this.first, this.second)),
				Map.of());
	}

	private List<WorkStartedEvent> started() {
		return this.events.stream()
			.filter(WorkStartedEvent.class::isInstance)
			.map(WorkStartedEvent.class::cast)
			.toList();
	}

	private List<WorkFinishedEvent> finished() {
		return this.events.stream()
			.filter(WorkFinishedEvent.class::isInstance)
			.map(WorkFinishedEvent.class::cast)
			.toList();
	}

}
