package io.github.connectionlifecycle.jdbc.pools;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.logging.Logger;

import javax.sql.DataSource;

import io.github.connectionlifecycle.testsupport.JdbcDriver;

/**
 * A minimal pool the connection lifecycle has no adapter for: idle physical connections in
 * a deque, handed out behind proxies whose {@code close()} returns them; a closed physical
 * connection is dropped on return or borrow, as real pools do. It never validates.
 */
final class UnknownPool implements DataSource {

	private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

	private final String url;

	UnknownPool(String url) {
		this.url = url;
	}

	@Override
	public Connection getConnection() throws SQLException {
		Connection physical = this.idle.pollFirst();
		while (physical != null && physical.isClosed()) {
			physical = this.idle.pollFirst();
		}
		if (physical == null) {
			JdbcDriver driver = JdbcDriver.of(this.url);
			physical = DriverManager.getConnection(this.url, driver.username(), driver.password());
		}
		return handle(physical);
	}

	private Connection handle(Connection physical) {
		boolean[] returned = new boolean[1];
		return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> {
					switch (method.getName()) {
						case "close" -> {
							if (!returned[0] && !physical.isClosed()) {
								this.idle.offerFirst(physical);
							}
							returned[0] = true;
							return null;
						}
						case "isClosed" -> {
							return returned[0] || physical.isClosed();
						}
						case "unwrap" -> {
							Class<?> type = (Class<?>) args[0];
							return type.isInstance(physical) ? physical : physical.unwrap(type);
						}
						case "equals" -> {
							return proxy == args[0];
						}
						case "hashCode" -> {
							return System.identityHashCode(proxy);
						}
						default -> {
							try {
								return method.invoke(physical, args);
							}
							catch (InvocationTargetException ex) {
								throw ex.getTargetException();
							}
						}
					}
				});
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		throw new SQLException("not supported");
	}

	@Override
	public PrintWriter getLogWriter() {
		return null;
	}

	@Override
	public void setLogWriter(PrintWriter out) {
	}

	@Override
	public void setLoginTimeout(int seconds) {
	}

	@Override
	public int getLoginTimeout() {
		return 0;
	}

	@Override
	public Logger getParentLogger() {
		return Logger.getGlobal();
	}

	@Override
	public <T> T unwrap(Class<T> type) throws SQLException {
		throw new SQLException("not a wrapper");
	}

	@Override
	public boolean isWrapperFor(Class<?> type) {
		return false;
	}

}
