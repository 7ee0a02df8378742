package io.github.connectionlifecycle.sample.demo;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * What the demo measures while the worker runs: events stored and failed, the JDBC time of
 * each event's first store attempt and HikariCP's validation warnings. What the starter
 * did comes from its own meters (see {@link StarterMeters}).
 */
@Component
public class DemoObservations implements DisposableBean {

	/** What HikariCP logs when a pooled connection turns out to be dead on borrow. */
	static final String POOL_VALIDATION_WARNING = "Failed to validate connection";

	private final Map<String, CompletableFuture<Void>> stored = new ConcurrentHashMap<>();

	private final Map<String, Long> firstAttemptNanos = new ConcurrentHashMap<>();

	private final AtomicInteger failedAttempts = new AtomicInteger();

	private final AtomicInteger poolValidationWarnings = new AtomicInteger();

	private final Logger hikariLogger;

	private final AppenderBase<ILoggingEvent> poolWarningCounter = new AppenderBase<>() {

		@Override
		protected void append(ILoggingEvent event) {
			if (event.getFormattedMessage().contains(POOL_VALIDATION_WARNING)) {
				DemoObservations.this.poolValidationWarnings.incrementAndGet();
			}
		}

	};

	public DemoObservations() {
		LoggerContext loggerContext = (LoggerContext) LoggerFactory.getILoggerFactory();
		this.hikariLogger = loggerContext.getLogger("com.zaxxer.hikari");
		this.poolWarningCounter.setContext(loggerContext);
		this.poolWarningCounter.start();
		this.hikariLogger.addAppender(this.poolWarningCounter);
	}

	public void stored(String orderId, long jdbcNanos) {
		this.firstAttemptNanos.putIfAbsent(orderId, jdbcNanos);
		completion(orderId).complete(null);
	}

	public void storeFailed(String orderId, long jdbcNanos) {
		this.firstAttemptNanos.putIfAbsent(orderId, jdbcNanos);
		this.failedAttempts.incrementAndGet();
	}

	/**
	 * Waits until the worker has stored an event.
	 * @param orderId the event's key
	 * @param timeout how long to wait at most
	 * @return whether it was stored in time
	 */
	boolean awaitStored(String orderId, Duration timeout) throws InterruptedException {
		try {
			completion(orderId).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			return true;
		}
		catch (TimeoutException ex) {
			return false;
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex);
		}
	}

	boolean isStored(String orderId) {
		return completion(orderId).isDone();
	}

	/**
	 * The JDBC time of the first attempt to store an event, successful or not.
	 * @param orderId the event's key
	 * @return the time, or {@code null} if the worker never tried
	 */
	@Nullable Duration firstAttemptTime(String orderId) {
		Long nanos = this.firstAttemptNanos.get(orderId);
		return (nanos != null) ? Duration.ofNanos(nanos) : null;
	}

	int failedAttempts() {
		return this.failedAttempts.get();
	}

	int poolValidationWarnings() {
		return this.poolValidationWarnings.get();
	}

	private CompletableFuture<Void> completion(String orderId) {
		return this.stored.computeIfAbsent(orderId, (key) -> new CompletableFuture<>());
	}

	@Override
	public void destroy() {
		this.hikariLogger.detachAppender(this.poolWarningCounter);
		this.poolWarningCounter.stop();
	}

	/**
	 * Formats a duration in nanoseconds for people.
	 * @param nanos the duration
	 * @return the duration in milliseconds, such as {@code 3.1 ms}
	 */
	public static String millis(long nanos) {
		return String.format("%.1f ms", nanos / 1_000_000.0);
	}

}
