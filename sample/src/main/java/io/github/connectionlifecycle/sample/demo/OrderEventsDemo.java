package io.github.connectionlifecycle.sample.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.github.connectionlifecycle.autoconfigure.ConnectionLifecycleProperties;
import io.github.connectionlifecycle.sample.demo.DemoReport.EventTiming;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * The demo: sends order events with idle gaps longer than the server's wait_timeout, waits
 * for the worker to store each one, then reports what happened. The exit status is 0 when
 * every event was stored.
 */
@Component
public class OrderEventsDemo implements ApplicationRunner, ExitCodeGenerator {

	private static final Log logger = LogFactory.getLog(OrderEventsDemo.class);

	private static final List<String> EVENT_TYPES = List.of("ORDER_PLACED", "ORDER_PAID", "ORDER_SHIPPED");

	private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

	private final DemoProperties properties;

	private final KafkaTemplate<String, String> kafkaTemplate;

	private final DemoObservations observations;

	private final JdbcConnectionDetails connectionDetails;

	private final ObjectProvider<ConnectionLifecycleProperties> starterProperties;

	private final StarterMeters starterMeters;

	private @Nullable DemoReport report;

	OrderEventsDemo(DemoProperties properties, KafkaTemplate<String, String> kafkaTemplate,
			DemoObservations observations, JdbcConnectionDetails connectionDetails,
			ObjectProvider<ConnectionLifecycleProperties> starterProperties, MeterRegistry meterRegistry) {
		this.properties = properties;
		this.kafkaTemplate = kafkaTemplate;
		this.observations = observations;
		this.connectionDetails = connectionDetails;
		this.starterProperties = starterProperties;
		this.starterMeters = new StarterMeters(meterRegistry);
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		ConnectionLifecycleProperties starter = this.starterProperties.getIfAvailable();
		long waitTimeout = serverWaitTimeoutSeconds();
		Duration idleGap = this.properties.getIdleGap();
		logger.info(String.format("Demo: %d order events, %s idle between them; the server closes connections "
				+ "idle for more than %ds. Starter %s.", this.properties.getEvents(), DemoReport.format(idleGap),
				waitTimeout, (starter != null) ? "on" : "off"));
		if (idleGap.toSeconds() <= waitTimeout) {
			logger.warn("The idle gap is not longer than the server's wait_timeout, so the server keeps the "
					+ "connections open and the problem does not show: set demo.idle-gap above " + waitTimeout
					+ "s, or lower the server's wait_timeout (SET GLOBAL wait_timeout = 3)");
		}
		String run = UUID.randomUUID().toString().substring(0, 8);
		List<String> orderIds = new ArrayList<>();
		for (int number = 1; number <= this.properties.getEvents(); number++) {
			if (number > 1) {
				idle(number - 1);
			}
			String orderId = "order-" + run + "-" + number;
			String type = EVENT_TYPES.get((number - 1) % EVENT_TYPES.size());
			this.kafkaTemplate.send(this.properties.getTopic(), orderId, type)
				.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			logger.info(String.format("Sent event %d of %d: %s of order %s", number, this.properties.getEvents(), type,
					orderId));
			orderIds.add(orderId);
			if (!this.observations.awaitStored(orderId, this.properties.getHandlingTimeout())) {
				logger.warn("Order " + orderId + " was not stored within " + this.properties.getHandlingTimeout()
						+ "; going on");
			}
		}
		this.report = report(starter, waitTimeout, orderIds);
		logger.info(this.report.render());
	}

	/**
	 * The report of the demo run.
	 * @return the report, or {@code null} before the run ended
	 */
	public @Nullable DemoReport getReport() {
		return this.report;
	}

	@Override
	public int getExitCode() {
		return (this.report != null && this.report.allStored()) ? 0 : 1;
	}

	private void idle(int gap) throws InterruptedException {
		// The gap is the scenario: the server closes the pooled connections meanwhile.
		long remaining = this.properties.getIdleGap().toMillis();
		while (remaining > 0) {
			logger.info(String.format("Idle gap %d of %d: %d s to go", gap, this.properties.getEvents() - 1,
					(remaining + 999) / 1000));
			long step = Math.min(1000, remaining);
			Thread.sleep(step);
			remaining -= step;
		}
	}

	private long serverWaitTimeoutSeconds() {
		// A connection of its own: asking through the pool would be a unit-less use of it.
		SimpleDriverDataSource dataSource = DataSourceBuilder.create()
			.type(SimpleDriverDataSource.class)
			.url(this.connectionDetails.getJdbcUrl())
			.username(this.connectionDetails.getUsername())
			.password(this.connectionDetails.getPassword())
			.build();
		Long waitTimeout = new JdbcTemplate(dataSource).queryForObject("SELECT @@wait_timeout", Long.class);
		return (waitTimeout != null) ? waitTimeout : 0;
	}

	private DemoReport report(@Nullable ConnectionLifecycleProperties starter, long waitTimeout,
			List<String> orderIds) {
		List<EventTiming> events = new ArrayList<>();
		int stored = 0;
		for (int i = 0; i < orderIds.size(); i++) {
			String orderId = orderIds.get(i);
			events.add(new EventTiming(i + 1, (i > 0) ? this.properties.getIdleGap() : null,
					this.observations.firstAttemptTime(orderId)));
			stored += this.observations.isStored(orderId) ? 1 : 0;
		}
		return new DemoReport(starter != null, (starter != null) ? starter.getMaxAge() : null, waitTimeout,
				this.properties.getIdleGap(), orderIds.size(), stored, this.observations.failedAttempts(),
				this.observations.poolValidationWarnings(), events, this.starterMeters.retired(),
				this.starterMeters.counters());
	}

}
