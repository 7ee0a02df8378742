package io.github.connectionlifecycle.jdbc.pools;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Wrapper;

import javax.sql.DataSource;

/**
 * JDK dynamic proxies like those of observation libraries (datasource-micrometer): a
 * DataSource whose connections are proxies too, both reaching their target through
 * {@link Wrapper#unwrap(Class)}.
 */
final class ObservationProxies {

	private ObservationProxies() {
	}

	static DataSource observed(DataSource target) {
		return proxy(target, DataSource.class);
	}

	private static <T extends Wrapper> T proxy(T target, Class<T> type) {
		return type.cast(Proxy.newProxyInstance(ObservationProxies.class.getClassLoader(), new Class<?>[] { type },
				(proxy, method, args) -> {
					switch (method.getName()) {
						case "unwrap" -> {
							Class<?> wanted = (Class<?>) args[0];
							return wanted.isInstance(target) ? target : target.unwrap(wanted);
						}
						case "isWrapperFor" -> {
							Class<?> wanted = (Class<?>) args[0];
							return wanted.isInstance(target) || target.isWrapperFor(wanted);
						}
						case "equals" -> {
							return proxy == args[0];
						}
						case "hashCode" -> {
							return System.identityHashCode(proxy);
						}
						default -> {
							Object result;
							try {
								result = method.invoke(target, args);
							}
							catch (InvocationTargetException ex) {
								throw ex.getTargetException();
							}
							return (result instanceof Connection connection) ? proxy(connection, Connection.class) : result;
						}
					}
				}));
	}

}
