package io.github.connectionlifecycle.testsupport;

import java.util.Arrays;

/**
 * The JDBC drivers the tests run, each against its embedded server: mysql-connector-j and
 * MariaDB Connector/J against {@link EmbeddedMariaDb}, the PostgreSQL driver against
 * {@link EmbeddedPostgres}. What the starter learns about a connection depends on the
 * driver (mysql-connector-j tells its age, idle time and socket; MariaDB Connector/J and
 * pgjdbc none of them).
 */
public enum JdbcDriver {

	MYSQL_CONNECTOR_J("com.mysql.cj.jdbc.Driver", "jdbc:mysql://", "?useSSL=false&allowPublicKeyRetrieval=true"),

	MARIADB_CONNECTOR_J("org.mariadb.jdbc.Driver", "jdbc:mariadb://", "?allowPublicKeyRetrieval=true"),

	/** On the embedded PostgreSQL; its URLs carry no options, so more start with {@code ?}. */
	POSTGRESQL("org.postgresql.Driver", "jdbc:postgresql://", "");

	private final String driverClassName;

	private final String urlPrefix;

	private final String urlOptions;

	JdbcDriver(String driverClassName, String urlPrefix, String urlOptions) {
		this.driverClassName = driverClassName;
		this.urlPrefix = urlPrefix;
		this.urlOptions = urlOptions;
	}

	public String driverClassName() {
		return this.driverClassName;
	}

	/** @return whether the driver runs against the embedded PostgreSQL, not the embedded MariaDB */
	public boolean isPostgres() {
		return this == POSTGRESQL;
	}

	/** @return the user of the driver's embedded server */
	public String username() {
		return isPostgres() ? EmbeddedPostgres.username() : EmbeddedMariaDb.username();
	}

	/** @return the password of the driver's embedded server */
	public String password() {
		return isPostgres() ? EmbeddedPostgres.password() : EmbeddedMariaDb.password();
	}

	/**
	 * Creates a fresh database on the driver's embedded server, whose sessions the server
	 * closes after 2 s idle (MariaDB's wait_timeout, PostgreSQL's idle_session_timeout).
	 * @param prefix a readable prefix for the database name
	 * @return its JDBC URL for this driver
	 */
	public String createDatabase(String prefix) {
		return isPostgres() ? EmbeddedPostgres.createDatabase(prefix) : EmbeddedMariaDb.createDatabase(prefix, this);
	}

	/**
	 * Kills every session connected to a database ({@code KILL}, {@code pg_terminate_backend}).
	 * @param url a URL made by {@link #createDatabase(String)}
	 * @return how many sessions were killed
	 */
	public int killSessions(String url) {
		return isPostgres() ? EmbeddedPostgres.killSessions(url) : EmbeddedMariaDb.killSessions(url);
	}

	/**
	 * The URL of a database on a server.
	 * @param hostAndPort {@code host:port}
	 * @param database the database name, empty for none
	 * @return a JDBC URL; with options for the MariaDB drivers, so that more can be appended
	 * with {@code &}
	 */
	String url(String hostAndPort, String database) {
		return this.urlPrefix + hostAndPort + "/" + database + this.urlOptions;
	}

	/**
	 * The driver a URL is for.
	 * @param url a URL made by {@link #url(String, String)}
	 * @return its driver
	 */
	public static JdbcDriver of(String url) {
		return Arrays.stream(values())
			.filter((driver) -> url.startsWith(driver.urlPrefix))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("No test driver for " + url));
	}

}
