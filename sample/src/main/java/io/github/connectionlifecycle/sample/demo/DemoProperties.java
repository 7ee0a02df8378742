package io.github.connectionlifecycle.sample.demo;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.Assert;

/**
 * Settings of the demo run.
 */
@ConfigurationProperties("demo")
public class DemoProperties {

	/**
	 * How many order events the built-in producer sends.
	 */
	private int events = 4;

	/**
	 * How long the worker sits idle between two events. Longer than the server's
	 * wait_timeout, so that the server closes the pooled connections in between.
	 */
	private Duration idleGap = Duration.ofSeconds(5);

	/**
	 * The wait_timeout of the embedded MariaDB server. Not used when
	 * spring.datasource.url points at a server of your own.
	 */
	private Duration serverWaitTimeout = Duration.ofSeconds(3);

	/**
	 * Topic the order events go through.
	 */
	private String topic = "order-events";

	/**
	 * Longest wait for the worker to store one event before the demo gives up on it.
	 */
	private Duration handlingTimeout = Duration.ofSeconds(30);

	/**
	 * Whether to start an embedded MariaDB and Kafka broker for spring.datasource.url and
	 * spring.kafka.bootstrap-servers left unset. Off when the servers come from elsewhere,
	 * such as the containers of TestSampleApplication.
	 */
	private boolean embeddedServers = true;

	/**
	 * Whether the application keeps running after the demo, so that its Actuator endpoints
	 * can be read (the "actuator" profile sets it).
	 */
	private boolean stayUp;

	public boolean isEmbeddedServers() {
		return this.embeddedServers;
	}

	public void setEmbeddedServers(boolean embeddedServers) {
		this.embeddedServers = embeddedServers;
	}

	public int getEvents() {
		return this.events;
	}

	public void setEvents(int events) {
		Assert.isTrue(events > 0, "demo.events must be at least 1");
		this.events = events;
	}

	public Duration getIdleGap() {
		return this.idleGap;
	}

	public void setIdleGap(Duration idleGap) {
		this.idleGap = idleGap;
	}

	public Duration getServerWaitTimeout() {
		return this.serverWaitTimeout;
	}

	public void setServerWaitTimeout(Duration serverWaitTimeout) {
		// The server counts wait_timeout in whole seconds, from 1
		Assert.isTrue(serverWaitTimeout.toSeconds() >= 1, "demo.server-wait-timeout must be at least 1s");
		this.serverWaitTimeout = serverWaitTimeout;
	}

	public String getTopic() {
		return this.topic;
	}

	public void setTopic(String topic) {
		this.topic = topic;
	}

	public Duration getHandlingTimeout() {
		return this.handlingTimeout;
	}

	public void setHandlingTimeout(Duration handlingTimeout) {
		this.handlingTimeout = handlingTimeout;
	}

	public boolean isStayUp() {
		return this.stayUp;
	}

	public void setStayUp(boolean stayUp) {
		this.stayUp = stayUp;
	}

}
