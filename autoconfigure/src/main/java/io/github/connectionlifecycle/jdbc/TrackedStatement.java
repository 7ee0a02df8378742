package io.github.connectionlifecycle.jdbc;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;

import org.jspecify.annotations.Nullable;

/**
 * A statement of a {@link TrackedConnection}: reports the SQL it runs and the
 * connection-level errors it raises to its connection.
 */
final class TrackedStatement extends JdbcWrapperHandler {

	private final Statement statement;

	private final Connection connectionProxy;

	private final TrackedConnection connection;

	private TrackedStatement(Statement statement, Connection connectionProxy, TrackedConnection connection) {
		super(statement);
		this.statement = statement;
		this.connectionProxy = connectionProxy;
		this.connection = connection;
	}

	static Statement wrap(Statement statement, Class<?> type, Connection connectionProxy,
			TrackedConnection connection) {
		return (Statement) Proxy.newProxyInstance(TrackedStatement.class.getClassLoader(), new Class<?>[] { type },
				new TrackedStatement(statement, connectionProxy, connection));
	}

	@Override
	@Nullable Object invokeJdbc(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		String name = method.getName();
		if (name.equals("getConnection")) {
			return this.connectionProxy;
		}
		if (name.startsWith("execute")) {
			if (args != null && args.length > 0 && args[0] instanceof String sql) {
				this.connection.observeSql(sql);
			}
			this.connection.statementExecuted();
		}
		else if (name.equals("addBatch") && args != null && args.length == 1 && args[0] instanceof String sql) {
			this.connection.observeSql(sql);
		}
		return this.connection.invokeObserved(this.statement, method, args);
	}

}
