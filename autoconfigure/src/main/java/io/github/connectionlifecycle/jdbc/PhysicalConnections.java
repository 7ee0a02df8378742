package io.github.connectionlifecycle.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

import com.mysql.cj.NativeSession;
import com.mysql.cj.Session;
import com.mysql.cj.jdbc.JdbcConnection;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * Reaches the driver's physical connection behind a pool's handle, and what the driver
 * knows about it.
 */
final class PhysicalConnections {

	private static final boolean mysqlPresent = ClassUtils.isPresent("com.mysql.cj.jdbc.JdbcConnection",
			PhysicalConnections.class.getClassLoader());

	private PhysicalConnections() {
	}

	/**
	 * The driver connection behind a pool handle: the object whose identity is the
	 * physical connection.
	 * @param handle what the pool handed out
	 * @return the physical connection, or the handle itself when the pool does not expose it
	 */
	static Connection physical(Connection handle) {
		try {
			if (mysqlPresent && handle.isWrapperFor(JdbcConnection.class)) {
				return handle.unwrap(JdbcConnection.class);
			}
			Connection unwrapped = handle.unwrap(Connection.class);
			return (unwrapped != null) ? unwrapped : handle;
		}
		catch (SQLException | RuntimeException ex) {
			return handle;
		}
	}

	/**
	 * The pool's own object behind a handle that proxies may wrap (observation proxies and
	 * the like reach it through {@link java.sql.Wrapper#unwrap(Class)}).
	 * @param handle what the DataSource handed out
	 * @param type the pool's handle or entry type
	 * @param <T> the type
	 * @return the pool's object, or {@code null} when the wrappers do not reveal it
	 */
	static <T> @Nullable T poolObject(Connection handle, Class<T> type) {
		if (type.isInstance(handle)) {
			return type.cast(handle);
		}
		try {
			// Not isWrapperFor: pools answer it for the driver's types only.
			Object unwrapped = handle.unwrap(type);
			return type.isInstance(unwrapped) ? type.cast(unwrapped) : null;
		}
		catch (SQLException | RuntimeException ex) {
			return null;
		}
	}

	/**
	 * When the driver opened the physical connection, where the driver knows it.
	 * @param physical a connection returned by {@link #physical(Connection)}
	 * @return epoch millis of the opening, or {@code null} when the driver does not say
	 */
	static @Nullable Long openedAtMillis(Connection physical) {
		if (mysqlPresent) {
			return MySql.openedAtMillis(physical);
		}
		return null;
	}

	/**
	 * How long the physical connection has run no statement, where the driver knows it: it
	 * sees every statement, also those of borrowers the lifecycle never saw and those before
	 * the lifecycle first met the connection.
	 * @param physical a connection returned by {@link #physical(Connection)}
	 * @return idle milliseconds, or {@code null} when the driver does not say
	 */
	static @Nullable Long idleMillis(Connection physical) {
		if (mysqlPresent) {
			return MySql.idleMillis(physical);
		}
		return null;
	}

	private static final class MySql {

		static @Nullable Long idleMillis(Connection physical) {
			if (physical instanceof JdbcConnection mysqlConnection) {
				long idle = mysqlConnection.getIdleFor();
				if (idle > 0) {
					return idle;
				}
				// No statement since it was opened: idle since then.
				Long openedAt = openedAtMillis(physical);
				return (openedAt != null) ? System.currentTimeMillis() - openedAt : null;
			}
			return null;
		}

		static @Nullable Long openedAtMillis(Connection physical) {
			if (physical instanceof JdbcConnection mysqlConnection) {
				Session session = mysqlConnection.getSession();
				if (session instanceof NativeSession nativeSession) {
					return nativeSession.getConnectionCreationTimeMillis();
				}
			}
			return null;
		}

	}

}
