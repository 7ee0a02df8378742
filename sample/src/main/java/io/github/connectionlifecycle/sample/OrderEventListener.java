package io.github.connectionlifecycle.sample;

import io.github.connectionlifecycle.sample.demo.DemoObservations;
import io.github.connectionlifecycle.sample.demo.DemoProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Stores each order event (key: order id, value: event type) in the {@code order_events}
 * table. Each delivery is one unit of work for the starter.
 */
@Component
class OrderEventListener {

	private static final Log logger = LogFactory.getLog(OrderEventListener.class);

	private final JdbcTemplate jdbcTemplate;

	private final DemoObservations observations;

	private final String topic;

	OrderEventListener(JdbcTemplate jdbcTemplate, DemoObservations observations, DemoProperties properties) {
		this.jdbcTemplate = jdbcTemplate;
		this.observations = observations;
		this.topic = properties.getTopic();
	}

	public String getTopic() {
		return this.topic;
	}

	@KafkaListener(topics = "#{__listener.topic}", groupId = "order-worker")
	void onOrderEvent(ConsumerRecord<String, String> event) {
		long start = System.nanoTime();
		try {
			this.jdbcTemplate.update("INSERT INTO order_events (order_id, event_type) VALUES (?, ?)", event.key(),
					event.value());
		}
		catch (DataAccessException ex) {
			long elapsed = System.nanoTime() - start;
			this.observations.storeFailed(event.key(), elapsed);
			logger.error("Could not store " + event.value() + " of order " + event.key() + " after "
					+ DemoObservations.millis(elapsed) + "; Kafka will redeliver it: " + ex.getMostSpecificCause());
			throw ex;
		}
		long elapsed = System.nanoTime() - start;
		logger.info("Stored " + event.value() + " of order " + event.key() + " (JDBC " + DemoObservations.millis(elapsed)
				+ ")");
		this.observations.stored(event.key(), elapsed);
	}

}
