package io.github.connectionlifecycle.faults;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Counts the warnings connection pools log while it is open, from every thread (pools
 * validate and close connections on their own threads too). DBCP2 destroys connections
 * that fail validation without a word, and Tomcat JDBC logs it at debug only: for them the
 * time of the first operation tells.
 */
final class PoolWarnings extends AppenderBase<ILoggingEvent> implements AutoCloseable {

	static final String HIKARI_VALIDATION_FAILED = "Failed to validate connection";

	static final String HIKARI_LEAK_DETECTED = "Connection leak detection";

	private static final List<String> POOL_LOGGERS = List.of("com.zaxxer.hikari", "org.apache.tomcat.jdbc",
			"org.apache.commons.dbcp2", "org.apache.commons.pool2", "org.springframework.jdbc.datasource");

	private final List<String> messages = new CopyOnWriteArrayList<>();

	private PoolWarnings() {
	}

	/** @return an appender counting from now until {@link #close()} */
	static PoolWarnings record() {
		if (!SLF4JBridgeHandler.isInstalled()) {
			// Tomcat JDBC logs through java.util.logging; outside a Boot application nothing
			// routes that to Logback.
			SLF4JBridgeHandler.removeHandlersForRootLogger();
			SLF4JBridgeHandler.install();
		}
		PoolWarnings warnings = new PoolWarnings();
		warnings.setName("pool-warnings");
		warnings.setContext((ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory());
		warnings.start();
		rootLogger().addAppender(warnings);
		return warnings;
	}

	@Override
	protected void append(ILoggingEvent event) {
		if (event.getLevel().isGreaterOrEqual(Level.WARN)
				&& POOL_LOGGERS.stream().anyMatch((name) -> event.getLoggerName().startsWith(name))) {
			this.messages.add(event.getFormattedMessage());
		}
	}

	/** @return how many pool warnings were logged */
	int count() {
		return this.messages.size();
	}

	/**
	 * @param text part of a message
	 * @return how many pool warnings contain it
	 */
	int containing(String text) {
		return (int) this.messages.stream().filter((message) -> message.contains(text)).count();
	}

	@Override
	public void close() {
		rootLogger().detachAppender(this);
		stop();
	}

	private static Logger rootLogger() {
		return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
	}

}
