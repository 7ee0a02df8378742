package io.github.connectionlifecycle.work;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class WorkBoundariesTest {

	private final List<Object> calls = new ArrayList<>();

	private final List<WorkBoundaryListener> listeners = new ArrayList<>();

	private final WorkBoundaries boundaries = new WorkBoundaries(this.calls::add, () -> this.listeners);

	@Test
	void publishesOneStartedAndOneFinishedEventPerUnit() {
		this.boundaries.run("job", () -> this.calls.add("work"));
		assertThat(this.calls).hasSize(3);
		assertThat(this.calls.get(0)).isInstanceOfSatisfying(WorkStartedEvent.class,
				(event) -> assertThat(event.getUnit()).isEqualTo(new UnitOfWork(WorkKind.PROGRAMMATIC, "job")));
		assertThat(this.calls.get(1)).isEqualTo("work");
		assertThat(this.calls.get(2)).isInstanceOfSatisfying(WorkFinishedEvent.class, (event) -> {
			assertThat(event.isFailed()).isFalse();
			assertThat(event.getDuration().isNegative()).isFalse();
		});
	}

	@Test
	void finishedEventCarriesTheFailureAndTheFailurePropagates() {
		IllegalStateException failure = new IllegalStateException("boom");
		assertThatIllegalStateException().isThrownBy(() -> this.boundaries.run("job", () -> {
			throw failure;
		})).isSameAs(failure);
		assertThat(this.calls.get(1)).isInstanceOfSatisfying(WorkFinishedEvent.class,
				(event) -> assertThat(event.getFailure()).isSameAs(failure));
		assertThat(this.boundaries.currentUnit()).isNull();
	}

	@Test
	void nestedUnitsFireNothing() throws Exception {
		Integer result = this.boundaries.call("outer", () -> {
			this.boundaries.run("inner", () -> assertThat(this.boundaries.currentUnit().name()).isEqualTo("outer"));
			return 42;
		});
		assertThat(result).isEqualTo(42);
		assertThat(this.calls).hasSize(2);
	}

	@Test
	void failingListenersAreCountedAndNeverReachTheCaller() {
		WorkBoundaries failingPublisher = new WorkBoundaries((event) -> {
			throw new IllegalStateException("listener failure");
		}, () -> List.of(new WorkBoundaryListener() {
			@Override
			public void workFinished(UnitOfWork unit, @Nullable Throwable failure) {
				throw new IllegalArgumentException("boundary listener failure");
			}
		}));
		List<String> ran = new ArrayList<>();
		failingPublisher.run("job", () -> ran.add("work"));
		assertThat(ran).containsExactly("work");
		assertThat(failingPublisher.getListenerFailureCount()).isEqualTo(3);
	}

	@Test
	void boundaryListenersBracketTheEvents() {
		this.listeners.add(new RecordingListener("first"));
		this.listeners.add(new RecordingListener("second"));
		this.boundaries.run("job", () -> {
		});
		assertThat(this.calls).extracting((call) -> (call instanceof String) ? call : call.getClass().getSimpleName())
			.containsExactly("first started", "second started", "WorkStartedEvent", "WorkFinishedEvent",
					"second finished", "first finished");
	}

	@Test
	void closingIsIdempotentAndOnlyTheOpeningThreadCanClose() throws Exception {
		WorkScope scope = this.boundaries.open(new UnitOfWork(WorkKind.KAFKA_RECORD, "topic-0@1"));
		CompletableFuture.runAsync(scope::close).get(10, TimeUnit.SECONDS);
		assertThat(this.boundaries.currentUnit()).isNotNull();
		scope.close();
		scope.close();
		assertThat(this.calls).hasSize(2);
		assertThat(this.boundaries.currentUnit()).isNull();
	}

	@Test
	void listenersThatCannotBeHadLeaveTheUnitRunningAndTheThreadClean() {
		WorkBoundaries failing = new WorkBoundaries(this.calls::add, () -> {
			throw new IllegalStateException("bean creation failed");
		});
		List<String> ran = new ArrayList<>();
		failing.run("first", () -> ran.add("first"));
		failing.run("second", () -> ran.add(String.valueOf(failing.currentUnit())));
		assertThat(ran).containsExactly("first", "PROGRAMMATIC second");
		assertThat(failing.currentUnit()).isNull();
		assertThat(failing.getListenerFailureCount()).isEqualTo(4);
	}

	@Test
	void publishesNoEventsWhenNoOneListensButStillCallsBoundaryListeners() {
		WorkBoundaries quiet = new WorkBoundaries(this.calls::add, () -> this.listeners, () -> false);
		this.listeners.add(new RecordingListener("cleanup"));
		quiet.run("job", () -> this.calls.add("work"));
		assertThat(this.calls).containsExactly("cleanup started", "work", "cleanup finished");
	}

	@Test
	void lazyUnitNamesAreBuiltOnlyWhenAskedFor() {
		List<String> described = new ArrayList<>();
		UnitOfWork unit = UnitOfWork.of(WorkKind.KAFKA_RECORD, "orders-0@42", (source) -> {
			described.add(source);
			return source;
		});
		WorkBoundaries quiet = new WorkBoundaries(this.calls::add, () -> this.listeners, () -> false);
		quiet.open(unit).close();
		assertThat(described).isEmpty();
		assertThat(unit).isEqualTo(new UnitOfWork(WorkKind.KAFKA_RECORD, "orders-0@42"));
		assertThat(unit.name()).isEqualTo("orders-0@42");
		assertThat(described).containsExactly("orders-0@42");
	}

	private final class RecordingListener implements WorkBoundaryListener {

		private final String name;

		RecordingListener(String name) {
			this.name = name;
		}

		@Override
		public void workStarted(UnitOfWork unit) {
			WorkBoundariesTest.this.calls.add(this.name + " started");
		}

		@Override
		public void workFinished(UnitOfWork unit, @Nullable Throwable failure) {
			WorkBoundariesTest.this.calls.add(this.name + " finished");
		}

	}

}
