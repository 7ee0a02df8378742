package io.github.connectionlifecycle.jdbc.pool;

import java.io.IOException;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;

import com.mysql.cj.NativeSession;
import com.mysql.cj.protocol.a.NativeProtocol;
import com.mysql.cj.jdbc.JdbcConnection;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * Reaches the driver's physical connection behind a pool's handle, and what the driver
 * knows about it: mysql-connector-j tells when it opened the connection, how long it has
 * been idle and its socket; MariaDB Connector/J (3.x) keeps all three private, so for it
 * the lifecycle counts age and idle time from when it first saw the connection, and the
 * liveness check is off.
 */
public final class PhysicalConnections {

	private static final boolean mysqlPresent = ClassUtils.isPresent("com.mysql.cj.jdbc.JdbcConnection",
			PhysicalConnections.class.getClassLoader());

	private static final boolean mariadbPresent = ClassUtils.isPresent("org.mariadb.jdbc.Connection",
			PhysicalConnections.class.getClassLoader());

	private PhysicalConnections() {
	}

	/**
	 * The driver connection behind a pool handle: the object whose identity is the
	 * physical connection.
	 * @param handle what the pool handed out
	 * @return the physical connection, or the handle itself when the pool does not expose it
	 */
	public static Connection physical(Connection handle) {
		try {
			if (mysqlPresent && handle.isWrapperFor(JdbcConnection.class)) {
				return handle.unwrap(JdbcConnection.class);
			}
			if (mariadbPresent && handle.isWrapperFor(org.mariadb.jdbc.Connection.class)) {
				// MariaDB Connector/J: only the physical connection; its public API has no
				// opening time, idle time or socket, so the lifecycle counts from what it saw.
				return handle.unwrap(org.mariadb.jdbc.Connection.class);
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
	public static <T> @Nullable T poolObject(Connection handle, Class<T> type) {
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
	 * @return epoch millis of the opening, or -1 when the driver does not say
	 */
	public static long openedAtMillis(Connection physical) {
		return mysqlPresent ? MySql.openedAtMillis(physical) : -1;
	}

	/**
	 * How long the physical connection has run no statement, where the driver knows it: it
	 * sees every statement, also those of borrowers the lifecycle never saw and those before
	 * the lifecycle first met the connection.
	 * @param physical a connection returned by {@link #physical(Connection)}
	 * @return idle milliseconds, or -1 when the driver does not say
	 */
	public static long idleMillis(Connection physical) {
		return mysqlPresent ? MySql.idleMillis(physical) : -1;
	}

	/**
	 * The TCP socket of the physical connection, where the driver exposes it, so that the
	 * operating system can be asked whether the server closed it.
	 * @param physical a connection returned by {@link #physical(Connection)}
	 * @return the socket, or {@code null} when the driver does not say
	 */
	public static @Nullable Socket socket(Connection physical) {
		return mysqlPresent ? MySql.socket(physical) : null;
	}

	private static final class MySql {

		static @Nullable Socket socket(Connection physical) {
			try {
				if (physical instanceof JdbcConnection mysqlConnection
						&& mysqlConnection.getSession() instanceof NativeSession nativeSession) {
					NativeProtocol protocol = nativeSession.getProtocol();
					return (protocol != null) ? protocol.getSocketConnection().getMysqlSocket() : null;
				}
			}
			catch (IOException | RuntimeException | LinkageError ex) {
				// Closed, not a socket connection, or a driver whose internals moved.
			}
			return null;
		}

		static long idleMillis(Connection physical) {
			if (physical instanceof JdbcConnection mysqlConnection) {
				long idle = mysqlConnection.getIdleFor();
				if (idle > 0) {
					return idle;
				}
				// No statement since it was opened: idle since then.
				long openedAt = openedAtMillis(physical);
				return (openedAt >= 0) ? System.currentTimeMillis() - openedAt : -1;
			}
			return -1;
		}

		static long openedAtMillis(Connection physical) {
			if (physical instanceof JdbcConnection mysqlConnection
					&& mysqlConnection.getSession() instanceof NativeSession nativeSession) {
				return nativeSession.getConnectionCreationTimeMillis();
			}
			return -1;
		}

	}

}
