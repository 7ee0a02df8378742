package io.github.connectionlifecycle.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.github.connectionlifecycle.testsupport.EmbeddedMariaDb;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code connectionlifecycle} endpoint and the meters over real HTTP: a servlet
 * application on a random port with Actuator's web exposure, a HikariCP pool on the
 * embedded MariaDB whose JDBC URL carries a user and a password, a Kafka listener (not
 * started: no broker is needed to see its container) and two {@code @Scheduled} beans, one
 * of which cannot be advised. Neither the endpoint nor any meter shows the password or the
 * JDBC URL.
 */
class ConnectionLifecycleEndpointWebIntegrationTest {

	private static final String USER = "lifecycle_endpoint_user";

	private static final String PASSWORD = "Pa55-w0rd-in-the-url";

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private static ConfigurableApplicationContext context;

	private static String jdbcUrl;

	@BeforeAll
	static void start() {
		String url = EmbeddedMariaDb.createDatabase("endpoint");
		// The embedded server skips grant checks: any user and password connect.
		jdbcUrl = url + "&user=" + USER + "&password=" + PASSWORD;
		context = new SpringApplicationBuilder(EndpointApplication.class).web(WebApplicationType.SERVLET)
			.properties("server.port=0", "spring.datasource.url=" + jdbcUrl,
					"spring.datasource.hikari.maximum-pool-size=2",
					"management.endpoints.web.exposure.include=connectionlifecycle,metrics",
					"management.metrics.use-global-registry=false", "connection.max-age=10m")
			.run();
	}

	@AfterAll
	static void stop() {
		if (context != null) {
			context.close();
		}
	}

	@Test
	void endpointShowsPoolsEntryPointsAndRetirements() throws Exception {
		WorkBoundaries units = context.getBean(WorkBoundaries.class);
		JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
		units.run("dirty", () -> jdbc.execute("SET SESSION sql_mode = 'ANSI'"));

		String json = get("/actuator/connectionlifecycle");

		assertThat(read(json, "$.settings.maxAge")).isEqualTo("PT10M");
		assertThat(read(json, "$.dataSources.dataSource.pool")).isEqualTo("HikariCP");
		assertThat(read(json, "$.dataSources.dataSource.serverIdleTimeout")).isEqualTo("PT2S");
		assertThat(read(json, "$.dataSources.dataSource.serverIdleTimeoutSource"))
			.isEqualTo("SELECT @@session.wait_timeout");
		assertThat(read(json, "$.dataSources.dataSource.idleLimit")).isEqualTo("PT1S");
		assertThat(read(json, "$.dataSources.dataSource.maxAge")).isEqualTo("PT10M");
		assertThat((Integer) read(json, "$.dataSources.dataSource.retirements.DIRTY")).isGreaterThanOrEqualTo(1);
		assertThat(map(json, "$.dataSources.dataSource.connections")).containsKeys("tracked", "oldest",
				"longestIdle");
		// The server-timeout-check (HikariCP cannot keep up with a 2 s wait_timeout) and the socket timeout check.
		assertThat(list(json, "$.dataSources.dataSource.findings")).hasSize(2)
			.anySatisfy((finding) -> assertThat(finding).contains("keeps idle connections for up to max-lifetime"))
			.anySatisfy((finding) -> assertThat(finding).contains("no socket timeout"));
		assertThat((Boolean) read(json, "$.sweep.running")).isTrue();
		assertThat(list(json, "$.entryPoints.kafka.withWorkBoundaries")).containsExactly("orders");
		assertThat(list(json, "$.entryPoints.scheduling.advised"))
			.containsExactly(AdvisedJob.class.getName() + ".report");
		assertThat(map(json, "$.entryPoints.scheduling.notAdvised"))
			.containsExactly(Map.entry(FinalJob.class.getName() + ".report", (Object) "the class is final"));
		assertNoCredentials(json);
	}

	@Test
	void metricsEndpointListsTheMetersAndNoneShowsCredentials() throws Exception {
		Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat((Double) read(
					get("/actuator/metrics/connection.lifecycle.units?tag=kind:SCHEDULED&tag=outcome:SUCCESS"),
					"$.measurements[0].value"))
				.as("the advised @Scheduled method's first run")
				.isGreaterThanOrEqualTo(1.0));
		String names = get("/actuator/metrics");
		List<String> ours = new ArrayList<>();
		for (String name : list(names, "$.names")) {
			if (name.startsWith("connection.lifecycle.")) {
				ours.add(name);
			}
		}
		assertThat(ours).contains("connection.lifecycle.retirements", "connection.lifecycle.retired.connection.age",
				"connection.lifecycle.units", "connection.lifecycle.sweep", "connection.lifecycle.sweep.lateness",
				"connection.lifecycle.sweep.last.duration", "connection.lifecycle.server.idle.timeout",
				"connection.lifecycle.idle.limit", "connection.lifecycle.max.age",
				"connection.lifecycle.connections.tracked", "connection.lifecycle.listener.failures");
		for (String name : ours) {
			assertNoCredentials(get("/actuator/metrics/" + name));
		}
		for (Meter meter : context.getBean(MeterRegistry.class).getMeters()) {
			assertNoCredentials(meter.getId().toString());
		}
	}

	private static void assertNoCredentials(String text) {
		assertThat(text).doesNotContain(PASSWORD).doesNotContain(jdbcUrl).doesNotContain("jdbc:");
	}

	private static Object read(String json, String path) {
		return JsonPath.read(json, path);
	}

	private static List<String> list(String json, String path) {
		return JsonPath.read(json, path);
	}

	private static Map<String, Object> map(String json, String path) {
		return JsonPath.read(json, path);
	}

	private static String get(String path) throws IOException, InterruptedException {
		String port = context.getEnvironment().getProperty("local.server.port");
		HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
		return response.body();
	}

	@SpringBootConfiguration
	// JPA is on the test class path for other tests; this application has no entities.
	@EnableAutoConfiguration(exclude = { HibernateJpaAutoConfiguration.class,
			DataJpaRepositoriesAutoConfiguration.class })
	@EnableScheduling
	static class EndpointApplication {

		@Bean
		AdvisedJob advisedJob() {
			return new AdvisedJob();
		}

		@Bean
		FinalJob finalJob() {
			return new FinalJob();
		}

		@Bean
		OrdersListener ordersListener() {
			return new OrdersListener();
		}

	}

	static class AdvisedJob {

		@Scheduled(fixedDelay = 1, timeUnit = java.util.concurrent.TimeUnit.HOURS)
		void report() {
		}

	}

	static final class FinalJob {

		@Scheduled(fixedDelay = 1, timeUnit = java.util.concurrent.TimeUnit.HOURS)
		void report() {
		}

	}

	static class OrdersListener {

		@KafkaListener(id = "orders", topics = "orders", autoStartup = "false")
		void onOrder(String order) {
		}

	}

}
