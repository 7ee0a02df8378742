package io.github.connectionlifecycle.jdbc.pool;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

/**
 * Makes the {@link PoolAdapter} for the pools it knows. Beans of this type are asked in
 * {@link org.springframework.core.Ordered order} before the built-in adapters (HikariCP,
 * Tomcat JDBC, Commons DBCP2, {@code SingleConnectionDataSource}); a DataSource none of them
 * knows gets a generic adapter.
 */
@FunctionalInterface
public interface PoolAdapterFactory {

	/**
	 * The adapter for a pool.
	 * @param dataSource the pool, or a DataSource that wraps it (unwrap it with
	 * {@code org.springframework.boot.jdbc.DataSourceUnwrapper})
	 * @return an adapter for this pool alone, or {@code null} when the pool is not one this
	 * factory knows
	 */
	@Nullable PoolAdapter adapterFor(DataSource dataSource);

}
