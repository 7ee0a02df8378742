package io.github.connectionlifecycle.faults;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import org.springframework.util.ClassUtils;

/**
 * A connection pool the faults run against, configured the way a user would: through
 * {@code spring.datasource.type} and the pool's own Boot properties. A pool whose classes
 * are not on the test class path is skipped, so a row appears as soon as its dependency
 * does. To add a pool, add a constant. Tomcat JDBC and DBCP2 therefore validate on borrow,
 * as Boot configures them (Tomcat with a validation query, DBCP2 by default).
 */
enum PoolUnderTest {

	HIKARI("HikariCP", "com.zaxxer.hikari.HikariDataSource",
			(size) -> List.of("spring.datasource.hikari.maximum-pool-size=" + size,
					// Bounds the cost of each dead connection Hikari validates (default 5 s) and of
					// a borrow while the server is down (default 30 s). Above 5 s, Hikari's
					// reconnect back-off: a borrow right after an outage waits up to that long.
					"spring.datasource.hikari.validation-timeout=1000", "spring.datasource.hikari.connection-timeout=6000")),

	TOMCAT("Tomcat JDBC", "org.apache.tomcat.jdbc.pool.DataSource",
			(size) -> List.of("spring.datasource.tomcat.max-active=" + size,
					"spring.datasource.tomcat.initial-size=" + size, "spring.datasource.tomcat.max-idle=" + size,
					"spring.datasource.tomcat.min-idle=" + size, "spring.datasource.tomcat.max-wait=3000")),

	DBCP2("Commons DBCP2", "org.apache.commons.dbcp2.BasicDataSource",
			(size) -> List.of("spring.datasource.dbcp2.max-total=" + size,
					"spring.datasource.dbcp2.initial-size=" + size, "spring.datasource.dbcp2.max-idle=" + size,
					"spring.datasource.dbcp2.max-wait-millis=3000")),

	/** One shared physical connection, no validation: the pool-less extreme. */
	SINGLE_CONNECTION("SingleConnection", "org.springframework.jdbc.datasource.SingleConnectionDataSource",
			(size) -> List.of());

	private final String displayName;

	private final String dataSourceType;

	private final IntFunction<List<String>> sizeProperties;

	PoolUnderTest(String displayName, String dataSourceType, IntFunction<List<String>> sizeProperties) {
		this.displayName = displayName;
		this.dataSourceType = dataSourceType;
		this.sizeProperties = sizeProperties;
	}

	String displayName() {
		return this.displayName;
	}

	/** @return whether the pool's classes are on the class path */
	boolean isAvailable() {
		return ClassUtils.isPresent(this.dataSourceType, PoolUnderTest.class.getClassLoader());
	}

	/** @return how many physical connections the pool holds at most with the given size */
	int connections(int requestedSize) {
		return (this == SINGLE_CONNECTION) ? 1 : requestedSize;
	}

	/**
	 * The Boot properties that select and size this pool.
	 * @param size the pool size
	 * @return properties in {@code name=value} form
	 */
	String[] properties(int size) {
		return Stream.concat(Stream.of("spring.datasource.type=" + this.dataSourceType),
				this.sizeProperties.apply(size).stream())
			.toArray(String[]::new);
	}

	static List<PoolUnderTest> available() {
		return Arrays.stream(values()).filter(PoolUnderTest::isAvailable).toList();
	}

}
