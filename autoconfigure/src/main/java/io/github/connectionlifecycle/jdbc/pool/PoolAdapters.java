package io.github.connectionlifecycle.jdbc.pool;

import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.apache.commons.dbcp2.BasicDataSourceMXBean;
import org.apache.tomcat.jdbc.pool.jmx.ConnectionPoolMBean;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.jdbc.datasource.SmartDataSource;
import org.springframework.util.ClassUtils;

/**
 * Picks the {@link PoolAdapter} for a DataSource: HikariCP, Tomcat JDBC, Commons DBCP2,
 * Spring's {@link SingleConnectionDataSource}, else the generic one. The pool is found
 * behind proxies with {@link DataSourceUnwrapper}; the classes of an absent pool are never
 * loaded.
 */
public final class PoolAdapters {

	private static final ClassLoader classLoader = PoolAdapters.class.getClassLoader();

	private static final boolean hikariPresent = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource",
			classLoader);

	private static final boolean tomcatPresent = ClassUtils.isPresent("org.apache.tomcat.jdbc.pool.DataSource",
			classLoader);

	private static final boolean dbcp2Present = ClassUtils.isPresent("org.apache.commons.dbcp2.BasicDataSource",
			classLoader);

	private PoolAdapters() {
	}

	/**
	 * The adapter for the pool behind a DataSource.
	 * @param dataSource the pool, possibly behind proxies
	 * @param name how the start-up log names it
	 * @param factories asked first, in order
	 * @return the pool's adapter, or a generic one when the pool is unknown
	 */
	public static PoolAdapter forDataSource(DataSource dataSource, String name, List<PoolAdapterFactory> factories) {
		for (PoolAdapterFactory factory : factories) {
			PoolAdapter adapter = factory.adapterFor(dataSource);
			if (adapter != null) {
				return adapter;
			}
		}
		return builtIn(dataSource, name);
	}

	/**
	 * The adapter that closes retired connections without a pool API: for DataSources whose
	 * pool may change under them (a refresh-scoped proxy), where a pool's own API could reach
	 * the wrong pool.
	 * @param name how the start-up log names the DataSource
	 * @return the generic adapter
	 */
	public static PoolAdapter generic(String name) {
		return new GenericPoolAdapter(name);
	}

	private static PoolAdapter builtIn(DataSource dataSource, String name) {
		@Nullable PoolAdapter adapter = null;
		if (hikariPresent) {
			adapter = Hikari.adapter(dataSource);
		}
		if (adapter == null && tomcatPresent) {
			adapter = Tomcat.adapter(dataSource);
		}
		if (adapter == null && dbcp2Present) {
			adapter = Dbcp2.adapter(dataSource);
		}
		if (adapter == null) {
			// spring-jdbc comes with spring-boot-jdbc, which the auto-configuration requires.
			SingleConnectionDataSource single = DataSourceUnwrapper.unwrap(dataSource, SmartDataSource.class,
					SingleConnectionDataSource.class);
			adapter = (single != null) ? new SingleConnectionPoolAdapter(single) : null;
		}
		return (adapter != null) ? adapter : new GenericPoolAdapter(dataSource.getClass().getName() + " '" + name + "'");
	}

	private static final class Hikari {

		static @Nullable PoolAdapter adapter(DataSource dataSource) {
			HikariDataSource hikari = DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class,
					HikariDataSource.class);
			return (hikari != null) ? new HikariPoolAdapter(hikari) : null;
		}

	}

	private static final class Tomcat {

		static @Nullable PoolAdapter adapter(DataSource dataSource) {
			org.apache.tomcat.jdbc.pool.DataSource tomcat = DataSourceUnwrapper.unwrap(dataSource,
					ConnectionPoolMBean.class, org.apache.tomcat.jdbc.pool.DataSource.class);
			return (tomcat != null) ? new TomcatPoolAdapter(tomcat) : null;
		}

	}

	private static final class Dbcp2 {

		static @Nullable PoolAdapter adapter(DataSource dataSource) {
			BasicDataSource dbcp = DataSourceUnwrapper.unwrap(dataSource, BasicDataSourceMXBean.class,
					BasicDataSource.class);
			return (dbcp != null) ? new Dbcp2PoolAdapter(dbcp) : null;
		}

	}

}
