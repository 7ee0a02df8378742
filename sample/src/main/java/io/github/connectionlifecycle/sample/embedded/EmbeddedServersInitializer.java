package io.github.connectionlifecycle.sample.embedded;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.connectionlifecycle.sample.demo.DemoProperties;

import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts an embedded MariaDB when {@code spring.datasource.url} is not set, and an embedded
 * Kafka broker when {@code spring.kafka.bootstrap-servers} is not set, then points the
 * application at them. Set those properties to use servers of your own, or
 * {@code demo.embedded-servers=false} when they come from elsewhere (containers).
 * <p>
 * An initializer rather than an environment post-processor: logging is configured by now,
 * so the servers' start-up follows the application's log levels.
 */
public class EmbeddedServersInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	static final String DATASOURCE_URL = "spring.datasource.url";

	static final String KAFKA_BOOTSTRAP_SERVERS = "spring.kafka.bootstrap-servers";

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		ConfigurableEnvironment environment = context.getEnvironment();
		DemoProperties demo = Binder.get(environment).bindOrCreate("demo", DemoProperties.class);
		boolean startMariaDb = demo.isEmbeddedServers() && !environment.containsProperty(DATASOURCE_URL);
		boolean startKafka = demo.isEmbeddedServers() && !environment.containsProperty(KAFKA_BOOTSTRAP_SERVERS);
		if (!startMariaDb && !startKafka) {
			return;
		}
		EmbeddedServers servers = new EmbeddedServers();
		Map<String, Object> properties = new LinkedHashMap<>();
		try {
			if (startMariaDb) {
				properties.put(DATASOURCE_URL, servers.startMariaDb(demo.getServerWaitTimeout()));
				properties.put("spring.datasource.username", "root");
				properties.put("spring.datasource.password", "");
			}
			if (startKafka) {
				properties.put(KAFKA_BOOTSTRAP_SERVERS, servers.startKafka(demo.getTopic()));
			}
		}
		catch (Exception ex) {
			servers.destroy();
			throw new IllegalStateException("Could not start the embedded servers; to use servers of your own, set "
					+ DATASOURCE_URL + " and " + KAFKA_BOOTSTRAP_SERVERS, ex);
		}
		environment.getPropertySources().addFirst(new MapPropertySource("embeddedServers", properties));
		// The first bean definition is destroyed last: after the pool and the Kafka clients.
		((BeanDefinitionRegistry) context.getBeanFactory()).registerBeanDefinition("embeddedServers",
				new RootBeanDefinition(EmbeddedServers.class, () -> servers));
	}

}
