package io.github.connectionlifecycle.work;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.util.Assert;

/**
 * Opens and closes units of work on the thread that does the work. Only the outermost unit
 * on a thread has boundaries: a unit opened inside another one fires nothing. Entry points
 * (Kafka, scheduling) use {@link #open(UnitOfWork)}; applications wrap their own blocks with
 * {@link #run(String, Runnable)} or {@link #call(String, Callable)}.
 * <p>
 * Nothing here throws into the caller: a failing {@link WorkBoundaryListener} or
 * application event listener is logged and counted in {@link #getListenerFailureCount()}.
 * <p>
 * The hot path allocates the scope and nothing else: {@link WorkStartedEvent} and
 * {@link WorkFinishedEvent} are created, timed and published only when some application
 * listener listens to them.
 */
public final class WorkBoundaries {

	private static final Log logger = LogFactory.getLog(WorkBoundaries.class);

	private static final WorkScope NESTED = new NestedScope();

	/**
	 * The unit open on each thread, in a slot that stays for the thread's life: setting and
	 * removing a thread-local per unit would allocate its map entry every time. The slot is a
	 * plain array, so a thread that outlives the application keeps none of its classes.
	 */
	private final ThreadLocal<Object[]> current = ThreadLocal.withInitial(() -> new Object[1]);

	private final ApplicationEventPublisher eventPublisher;

	private final Supplier<List<WorkBoundaryListener>> listeners;

	private final BooleanSupplier eventsListenedTo;

	private final AtomicLong listenerFailures = new AtomicLong();

	/**
	 * Creates boundaries that publish every event through the given publisher.
	 * @param eventPublisher where {@link WorkStartedEvent} and {@link WorkFinishedEvent} go
	 * @param listeners supplies the infrastructure listeners, in order; asked at every
	 * boundary so that listeners created after this object are seen
	 */
	public WorkBoundaries(ApplicationEventPublisher eventPublisher, Supplier<List<WorkBoundaryListener>> listeners) {
		this(eventPublisher, listeners, () -> true);
	}

	/**
	 * Creates boundaries that publish events only when someone listens to them.
	 * @param eventPublisher where {@link WorkStartedEvent} and {@link WorkFinishedEvent} go
	 * @param listeners supplies the infrastructure listeners, in order; asked at every
	 * boundary so that listeners created after this object are seen
	 * @param eventsListenedTo whether any application listener listens to the work events;
	 * asked when each unit starts, so it should be cheap
	 */
	public WorkBoundaries(ApplicationEventPublisher eventPublisher, Supplier<List<WorkBoundaryListener>> listeners,
			BooleanSupplier eventsListenedTo) {
		Assert.notNull(eventPublisher, "eventPublisher must not be null");
		Assert.notNull(listeners, "listeners must not be null");
		Assert.notNull(eventsListenedTo, "eventsListenedTo must not be null");
		this.eventPublisher = eventPublisher;
		this.listeners = listeners;
		this.eventsListenedTo = eventsListenedTo;
	}

	/**
	 * Opens a unit of work on the current thread. When a unit is already open here, returns a
	 * nested scope whose close does nothing.
	 * @param unit what the work is
	 * @return the scope to close when the work is done
	 */
	public WorkScope open(UnitOfWork unit) {
		Assert.notNull(unit, "unit must not be null");
		Object[] slot = this.current.get();
		if (slot[0] != null) {
			return NESTED;
		}
		List<WorkBoundaryListener> listeners = listeners();
		OpenUnit open = new OpenUnit(unit, Thread.currentThread());
		slot[0] = open;
		for (int i = 0; i < listeners.size(); i++) {
			WorkBoundaryListener listener = listeners.get(i);
			try {
				listener.workStarted(unit);
			}
			catch (Throwable ex) {
				listenerFailed(listener, "the start of " + unit, ex);
			}
		}
		if (eventsListenedTo()) {
			open.startNanos = System.nanoTime();
			open.eventsPublished = true;
			publish(new WorkStartedEvent(unit));
		}
		return open;
	}

	/**
	 * Runs a block as a unit of work of kind {@link WorkKind#PROGRAMMATIC}, or as part of
	 * the unit already open on this thread.
	 * @param name the unit's name for logs and events
	 * @param work the block
	 */
	public void run(String name, Runnable work) {
		Assert.notNull(work, "work must not be null");
		try (WorkScope scope = open(new UnitOfWork(WorkKind.PROGRAMMATIC, name))) {
			try {
				work.run();
			}
			catch (RuntimeException | Error ex) {
				scope.fail(ex);
				throw ex;
			}
		}
	}

	/**
	 * Calls a block as a unit of work of kind {@link WorkKind#PROGRAMMATIC}, or as part of
	 * the unit already open on this thread.
	 * @param name the unit's name for logs and events
	 * @param work the block
	 * @param <T> the result type
	 * @return what the block returned
	 * @throws Exception what the block threw
	 */
	public <T> T call(String name, Callable<T> work) throws Exception {
		Assert.notNull(work, "work must not be null");
		try (WorkScope scope = open(new UnitOfWork(WorkKind.PROGRAMMATIC, name))) {
			try {
				return work.call();
			}
			catch (Exception | Error ex) {
				scope.fail(ex);
				throw ex;
			}
		}
	}

	/**
	 * The unit open on the current thread.
	 * @return the outermost unit of work on this thread, or {@code null} outside of one
	 */
	public @Nullable UnitOfWork currentUnit() {
		Object open = this.current.get()[0];
		return (open != null) ? ((OpenUnit) open).unit : null;
	}

	/**
	 * How many times a boundary listener or event listener has thrown since start-up.
	 * @return the number of swallowed listener failures
	 */
	public long getListenerFailureCount() {
		return this.listenerFailures.get();
	}

	/**
	 * The boundary listeners; none when they cannot be had (a bean that failed to create, a
	 * context that is closing), so that the unit still opens and closes cleanly.
	 */
	private List<WorkBoundaryListener> listeners() {
		try {
			return this.listeners.get();
		}
		catch (RuntimeException ex) {
			this.listenerFailures.incrementAndGet();
			logger.warn("Could not get the work boundary listeners; this unit of work goes on without them", ex);
			return List.of();
		}
	}

	private boolean eventsListenedTo() {
		try {
			return this.eventsListenedTo.getAsBoolean();
		}
		catch (RuntimeException ex) {
			logger.debug("Could not tell whether work events are listened to; publishing them", ex);
			return true;
		}
	}

	private void finish(OpenUnit open) {
		Object[] slot = this.current.get();
		if (slot[0] == open) {
			slot[0] = null;
		}
		if (open.eventsPublished) {
			publish(new WorkFinishedEvent(open.unit, Duration.ofNanos(System.nanoTime() - open.startNanos),
					open.failure));
		}
		List<WorkBoundaryListener> listeners = listeners();
		for (int i = listeners.size() - 1; i >= 0; i--) {
			WorkBoundaryListener listener = listeners.get(i);
			try {
				listener.workFinished(open.unit, open.failure);
			}
			catch (Throwable ex) {
				listenerFailed(listener, "the end of " + open.unit, ex);
			}
		}
	}

	private void publish(Object event) {
		try {
			this.eventPublisher.publishEvent(event);
		}
		catch (Throwable ex) {
			listenerFailed(this.eventPublisher, event, ex);
		}
	}

	private void listenerFailed(Object listener, Object what, Throwable ex) {
		this.listenerFailures.incrementAndGet();
		logger.warn("Listener " + listener + " failed on " + what + "; the unit of work goes on", ex);
	}

	private final class OpenUnit implements WorkScope {

		private final UnitOfWork unit;

		private final Thread thread;

		private long startNanos;

		private boolean eventsPublished;

		private @Nullable Throwable failure;

		private boolean closed;

		OpenUnit(UnitOfWork unit, Thread thread) {
			this.unit = unit;
			this.thread = thread;
		}

		@Override
		public void fail(Throwable failure) {
			if (this.failure == null) {
				this.failure = failure;
			}
		}

		@Override
		public void close() {
			if (this.closed) {
				return;
			}
			if (Thread.currentThread() != this.thread) {
				logger.warn("Unit of work " + this.unit + " opened on thread " + this.thread.getName()
						+ " cannot be closed from thread " + Thread.currentThread().getName() + "; ignored");
				return;
			}
			this.closed = true;
			finish(this);
		}

		@Override
		public boolean isOutermost() {
			return true;
		}

	}

	private static final class NestedScope implements WorkScope {

		@Override
		public void fail(Throwable failure) {
		}

		@Override
		public void close() {
		}

		@Override
		public boolean isOutermost() {
			return false;
		}

	}

}
