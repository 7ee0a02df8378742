package io.github.connectionlifecycle.sample;

import io.github.connectionlifecycle.sample.demo.DemoProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * An order-events worker: a Kafka listener stores each event in MySQL, a scheduled job
 * reports what the table holds. Started from the command line it runs the demo (see
 * {@link io.github.connectionlifecycle.sample.demo.OrderEventsDemo}) and exits with its
 * verdict.
 */
@SpringBootApplication
@EnableScheduling
@ConfigurationPropertiesScan
public class SampleApplication {

	private static final Log logger = LogFactory.getLog(SampleApplication.class);

	public static void main(String[] args) {
		ConfigurableApplicationContext context = run(args);
		if (context.getBean(DemoProperties.class).isStayUp()) {
			// The web server's threads keep the application up until it is stopped.
			logger.info("Demo done; Actuator stays up at http://localhost:"
					+ context.getEnvironment().getProperty("local.management.port") + "/actuator (Ctrl-C to stop)");
			return;
		}
		System.exit(SpringApplication.exit(context));
	}

	/**
	 * Starts the worker and runs the demo to its end.
	 * @param args command-line arguments, such as {@code --connection.enabled=false}
	 * @return the running context; the demo's report is in it
	 */
	public static ConfigurableApplicationContext run(String... args) {
		SpringApplication application = new SpringApplication(SampleApplication.class);
		// Named in the logs as itself, also when a test runs it
		application.setMainApplicationClass(SampleApplication.class);
		return application.run(args);
	}

}
