package io.github.connectionlifecycle.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.rabbitmq.client.ConnectionFactory;

import org.springframework.util.FileSystemUtils;

import static org.awaitility.Awaitility.await;

/**
 * One real RabbitMQ broker per test JVM: Debian's {@code rabbitmq-server} package, started on
 * first use as a child process on free ports (AMQP, Erlang distribution and a private epmd),
 * with its node name, data, logs and Erlang cookie in a private temporary directory, so that
 * several test JVMs can run at once. Stopped when the JVM exits. {@code .ci/run} installs the
 * package where it is missing.
 */
public final class EmbeddedRabbitMq {

	private static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");

	private static final AtomicInteger queueCounter = new AtomicInteger();

	private static Process server;

	private static int port;

	private EmbeddedRabbitMq() {
	}

	private static synchronized int port() {
		if (server == null) {
			start();
		}
		return port;
	}

	private static void start() {
		if (!Files.isExecutable(SERVER)) {
			throw new IllegalStateException(SERVER + " not found: install Debian's rabbitmq-server package "
					+ "(apt-get install rabbitmq-server; .ci/run does it where it is missing)");
		}
		try {
			Path home = Files.createTempDirectory("rabbitmq-");
			Files.writeString(home.resolve("enabled_plugins"), "[].");
			int amqpPort = freePort();
			int epmdPort = freePort();
			Files.writeString(home.resolve("rabbitmq.conf"),
					"listeners.tcp.default = 127.0.0.1:" + amqpPort + "\nloopback_users = none\n");
			ProcessBuilder builder = new ProcessBuilder(SERVER.toString()).directory(home.toFile())
				.redirectErrorStream(true)
				.redirectOutput(home.resolve("server.log").toFile());
			Map<String, String> environment = builder.environment();
			environment.put("HOME", home.toString());
			environment.put("RABBITMQ_NODENAME", "test-" + ProcessHandle.current().pid() + "@localhost");
			environment.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
			environment.put("RABBITMQ_NODE_PORT", Integer.toString(amqpPort));
			environment.put("RABBITMQ_DIST_PORT", Integer.toString(freePort()));
			environment.put("ERL_EPMD_PORT", Integer.toString(epmdPort));
			environment.put("RABBITMQ_CONFIG_FILE", home.resolve("rabbitmq").toString());
			environment.put("RABBITMQ_CONF_ENV_FILE", home.resolve("rabbitmq-env.conf").toString());
			environment.put("RABBITMQ_ENABLED_PLUGINS_FILE", home.resolve("enabled_plugins").toString());
			environment.put("RABBITMQ_MNESIA_BASE", home.resolve("mnesia").toString());
			environment.put("RABBITMQ_LOG_BASE", home.resolve("log").toString());
			environment.put("RABBITMQ_PLUGINS_EXPAND_DIR", home.resolve("plugins").toString());
			// The Erlang VM replaces the start script, so destroying the process stops the broker.
			environment.put("RABBITMQ_ALLOW_INPUT", "true");
			Process process = builder.start();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process, epmdPort, home)));
			await().atMost(Duration.ofSeconds(90))
				.pollInterval(Duration.ofMillis(250))
				.until(() -> acceptsConnections(process, amqpPort, home));
			port = amqpPort;
			server = process;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start RabbitMQ", ex);
		}
	}

	private static boolean acceptsConnections(Process process, int amqpPort, Path home) throws IOException {
		if (!process.isAlive()) {
			throw new IllegalStateException("RabbitMQ exited with " + process.exitValue() + ":\n"
					+ Files.readString(home.resolve("server.log")));
		}
		ConnectionFactory factory = new ConnectionFactory();
		factory.setHost("127.0.0.1");
		factory.setPort(amqpPort);
		try (com.rabbitmq.client.Connection connection = factory.newConnection()) {
			return connection.isOpen();
		}
		catch (Exception ex) {
			return false;
		}
	}

	private static void stop(Process process, int epmdPort, Path home) {
		process.destroy();
		try {
			if (!process.waitFor(15, TimeUnit.SECONDS)) {
				process.destroyForcibly();
			}
			// The VM started a private epmd daemon for its node; it outlives the VM otherwise.
			new ProcessBuilder("epmd", "-port", Integer.toString(epmdPort), "-kill").redirectErrorStream(true)
				.redirectOutput(new File("/dev/null"))
				.start()
				.waitFor(10, TimeUnit.SECONDS);
		}
		catch (IOException | InterruptedException ex) {
			// the JVM is exiting
		}
		FileSystemUtils.deleteRecursively(home.toFile());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	/**
	 * The Boot properties that point an application at the broker.
	 * @return properties in {@code name=value} form, starting the broker if needed
	 */
	public static String[] properties() {
		return new String[] { "spring.rabbitmq.host=127.0.0.1", "spring.rabbitmq.port=" + port() };
	}

	/**
	 * A queue name no other test uses.
	 * @param prefix a readable prefix
	 * @return a fresh queue name
	 */
	public static String uniqueQueue(String prefix) {
		return prefix + "-" + queueCounter.incrementAndGet();
	}

}
