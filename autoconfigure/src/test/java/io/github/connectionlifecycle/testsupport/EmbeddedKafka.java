package io.github.connectionlifecycle.testsupport;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * One real in-process Kafka broker (KRaft) per test JVM, started on first use. Each test
 * creates its own topics and uses its own consumer groups, so tests never see each other's
 * records.
 */
public final class EmbeddedKafka {

	private static final AtomicInteger topicCounter = new AtomicInteger();

	private static EmbeddedKafkaKraftBroker broker;

	private EmbeddedKafka() {
	}

	private static synchronized EmbeddedKafkaKraftBroker broker() {
		if (broker == null) {
			EmbeddedKafkaKraftBroker started = new EmbeddedKafkaKraftBroker(1, 1);
			// A single broker cannot host the transaction log at its default replication of 3.
			started.brokerProperty("transaction.state.log.replication.factor", "1");
			started.brokerProperty("transaction.state.log.min.isr", "1");
			started.afterPropertiesSet();
			// No destroy() at exit: the test kit deletes its own files then, and a second
			// shutdown hook stopping the broker races with that and floods the log.
			broker = started;
		}
		return broker;
	}

	/**
	 * The broker's address, for {@code spring.kafka.bootstrap-servers}.
	 * @return the bootstrap servers, starting the broker if needed
	 */
	public static String bootstrapServers() {
		return broker().getBrokersAsString();
	}

	/**
	 * Creates a topic for one test.
	 * @param prefix a readable prefix for the topic name
	 * @param partitions how many partitions the topic has
	 * @return the name of the new topic
	 */
	public static String createTopic(String prefix, int partitions) {
		String name = prefix.replaceAll("[^A-Za-z0-9._-]", "-") + "-" + topicCounter.incrementAndGet();
		broker().addTopics(new NewTopic(name, partitions, (short) 1));
		return name;
	}

	/**
	 * Sends values to a topic, one after the other, each acknowledged by the broker.
	 * @param template the application's template
	 * @param topic the topic
	 * @param values the record values
	 */
	public static void send(KafkaTemplate<?, ?> template, String topic, String... values) {
		@SuppressWarnings("unchecked")
		KafkaTemplate<Object, Object> kafka = (KafkaTemplate<Object, Object>) template;
		for (String value : values) {
			try {
				kafka.send(topic, value).get(30, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				throw new IllegalStateException("Could not send " + value, ex);
			}
		}
	}

	/**
	 * A consumer group id no other test uses.
	 * @param prefix a readable prefix for the group id
	 * @return a fresh group id
	 */
	public static String uniqueGroup(String prefix) {
		return prefix + "-group-" + topicCounter.incrementAndGet();
	}

}
