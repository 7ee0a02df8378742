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

	private static final class MySql {

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
