package io.github.connectionlifecycle.sample;

import io.github.connectionlifecycle.sample.demo.DemoReport;
import io.github.connectionlifecycle.sample.demo.OrderEventsDemo;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs a short demo against the embedded servers, with and without the starter, and checks
 * its report. Each run starts its own MariaDB and Kafka broker, as the sample does.
 */
class OrderEventsDemoTests {

	// Three events, two idle gaps of 3 s against a server that closes connections idle for 2 s.
	// The scheduled report keeps its default interval (10 s): run more often than the server's
	// timeout, it would keep a connection alive for the listener and hide the problem.
	private static final String[] SHORT_DEMO = { "--demo.events=3", "--demo.idle-gap=3s",
			"--demo.server-wait-timeout=2s" };

	@Test
	void withTheStarterEveryEventIsStoredWithoutPoolWarnings() {
		OrderEventsDemo demo = runDemo();
		DemoReport report = demo.getReport();
		assertThat(demo.getExitCode()).isZero();
		assertThat(report.starterEnabled()).isTrue();
		assertThat(report.sent()).isEqualTo(3);
		assertThat(report.stored()).isEqualTo(3);
		assertThat(report.failedAttempts()).isZero();
		assertThat(report.poolValidationWarnings()).isZero();
		assertThat(report.retired()).isNotEmpty();
		assertThat(report.starterCounters()).as("read from the MeterRegistry")
			.containsEntry("connection.lifecycle.units{kind=KAFKA_RECORD,outcome=SUCCESS}", 3L);
	}

	@Test
	void withoutTheStarterIdleGapsCostPoolWarningsOrFailures() {
		DemoReport report = runDemo("--connection.enabled=false").getReport();
		assertThat(report.starterEnabled()).isFalse();
		assertThat(report.sent()).isEqualTo(3);
		assertThat(report.poolValidationWarnings() + report.failedAttempts()).isPositive();
		assertThat(report.retired()).isEmpty();
		assertThat(report.starterCounters()).isEmpty();
	}

	private static OrderEventsDemo runDemo(String... extraArgs) {
		String[] args = new String[SHORT_DEMO.length + extraArgs.length];
		System.arraycopy(SHORT_DEMO, 0, args, 0, SHORT_DEMO.length);
		System.arraycopy(extraArgs, 0, args, SHORT_DEMO.length, extraArgs.length);
		// The demo runs to its end while the application starts.
		try (ConfigurableApplicationContext context = SampleApplication.run(args)) {
			OrderEventsDemo demo = context.getBean(OrderEventsDemo.class);
			assertThat(demo.getReport()).isNotNull();
			return demo;
		}
	}

}
