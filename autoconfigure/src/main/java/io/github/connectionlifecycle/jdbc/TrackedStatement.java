package io.github.connectionlifecycle.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A statement of a {@link TrackedConnection}: reports the SQL it runs and the
 * connection-level errors it raises to its connection.
 */
final class TrackedStatement implements InvocationHandler {

	private final Statement statement;

	private final Connection connectionProxy;

	private final TrackedConnection connection;

	private TrackedStatement(Statement statement, Connection connectionProxy, TrackedConnection connection) {
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
	public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		String name = method.getName();
		switch (name) {
			case "equals":
				return proxy == Objects.requireNonNull(args)[0];
			case "hashCode":
				return System.identityHashCode(proxy);
			case "toString":
				return "TrackedStatement[" + this.statement + "]";
			case "getConnection":
				return this.connectionProxy;
			case "unwrap":
				return (((Class<?>) Objects.requireNonNull(args)[0]).isInstance(proxy)) ? proxy
						: this.statement.unwrap((Class<?>) args[0]);
			case "isWrapperFor":
				return ((Class<?>) Objects.requireNonNull(args)[0]).isInstance(proxy)
						|| this.statement.isWrapperFor((Class<?>) args[0]);
			default:
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

}
