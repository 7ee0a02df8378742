package io.github.connectionlifecycle.jdbc.interception;

import javax.sql.DataSource;

/**
 * Implemented by the proxies that put a DataSource under the connection lifecycle: tools
 * that read a pool's own fields (Spring Boot's pool metadata) reach the pool through it.
 */
public interface ManagedDataSourceProxy {

	/**
	 * The pool this proxy stands for.
	 * @return the pool
	 */
	DataSource getLifecycleTarget();

}
