package io.github.connectionlifecycle.sample;

import io.github.connectionlifecycle.sample.demo.DemoProperties;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.mysql.MySQLContainer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;

/**
 * The demo against MySQL 8.4 and Kafka in containers (Docker required), wired by Boot's
 * {@code @ServiceConnection}, instead of the embedded MariaDB and Kafka broker. Run it from
 * the IDE, or with {@code ./mvnw -pl sample -am spring-boot:test-run}.
 */
public class TestSampleApplication {

	public static void main(String[] args) {
		SpringApplication.from(SampleApplication::main)
			.with(Containers.class)
			.run(withArgument(args, "--demo.embedded-servers=false"));
	}

	private static String[] withArgument(String[] args, String argument) {
		String[] all = new String[args.length + 1];
		System.arraycopy(args, 0, all, 0, args.length);
		all[args.length] = argument;
		return all;
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Containers {

		/** MySQL 8.4 closing connections idle past the demo's server wait_timeout, as the embedded MariaDB does. */
		@Bean
		@ServiceConnection
		MySQLContainer mysql(DemoProperties demo) {
			return new MySQLContainer("mysql:8.4").withDatabaseName("orders")
				.withCommand("--wait-timeout=" + demo.getServerWaitTimeout().toSeconds());
		}

		@Bean
		@ServiceConnection
		KafkaContainer kafka() {
			return new KafkaContainer("apache/kafka-native:3.8.0");
		}

	}

}
