package io.github.connectionlifecycle.testsupport;

import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * For the entry points' KILL tests: pools that hand out a connection unchecked when they
 * checked it moments ago, on databases whose sessions keep idle connections for 10
 * minutes, so that the background sweep is out of the picture and what is left is what
 * happens at the boundaries.
 */
public final class TrustingPools {

	/**
	 * Tomcat JDBC as Spring Boot configures it (test-on-borrow with a validation query),
	 * with its validation interval, 3 s by default, raised so that a loaded machine cannot
	 * outlast it: a connection validated moments ago is trusted.
	 */
	public static final String[] TOMCAT = { "spring.datasource.type=org.apache.tomcat.jdbc.pool.DataSource",
			"spring.datasource.tomcat.initial-size=4", "spring.datasource.tomcat.max-active=4",
			"spring.datasource.tomcat.validation-interval=60000" };

	private TrustingPools() {
	}

	/**
	 * Creates a database whose sessions the server keeps for 10 minutes when idle.
	 * @param prefix a readable prefix for the database name
	 * @return its JDBC URL
	 */
	public static String createDatabase(String prefix) {
		return EmbeddedMariaDb.createDatabase(prefix) + "&sessionVariables=wait_timeout=600";
	}

	/**
	 * One shared connection that is never checked.
	 * @param url the database
	 * @return the DataSource
	 */
	public static SingleConnectionDataSource singleConnection(String url) {
		return new SingleConnectionDataSource(url, EmbeddedMariaDb.username(), EmbeddedMariaDb.password(), false);
	}

}
