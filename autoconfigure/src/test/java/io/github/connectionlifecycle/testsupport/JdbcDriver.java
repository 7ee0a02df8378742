package io.github.connectionlifecycle.testsupport;

import java.util.Arrays;

/**
 * The JDBC drivers the tests run against the embedded MariaDB: what the starter learns about
 * a connection depends on the driver (mysql-connector-j tells its age, idle time and socket;
 * MariaDB Connector/J none of them).
 */
public enum JdbcDriver {

	MYSQL_CONNECTOR_J("com.mysql.cj.jdbc.Driver", "jdbc:mysql://", "?useSSL=false&allowPublicKeyRetrieval=true"),

	MARIADB_CONNECTOR_J("org.mariadb.jdbc.Driver", "jdbc:mariadb://", "?allowPublicKeyRetrieval=true");

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

	/**
	 * The URL of a database on a server.
	 * @param hostAndPort {@code host:port}
	 * @param database the database name, empty for none
	 * @return a JDBC URL with options, so that more can be appended with {@code &}
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
