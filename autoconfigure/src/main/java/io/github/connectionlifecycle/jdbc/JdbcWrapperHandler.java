package io.github.connectionlifecycle.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.sql.Wrapper;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Base of the JDBC proxies the lifecycle hands out: identity semantics and
 * {@link Wrapper} unwrapping that reaches through to the pool's object, so that code
 * unwrapping to the pool's or driver's types keeps working.
 */
abstract class JdbcWrapperHandler implements InvocationHandler {

	private final Wrapper target;

	JdbcWrapperHandler(Wrapper target) {
		this.target = target;
	}

	@Override
	public final @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		switch (method.getName()) {
			case "equals":
				return proxy == Objects.requireNonNull(args)[0];
			case "hashCode":
				return System.identityHashCode(proxy);
			case "toString":
				return getClass().getSimpleName() + "[" + this.target + "]";
			case "unwrap":
				Class<?> type = (Class<?>) Objects.requireNonNull(args)[0];
				return type.isInstance(proxy) ? proxy : this.target.unwrap(type);
			case "isWrapperFor":
				Class<?> wrapped = (Class<?>) Objects.requireNonNull(args)[0];
				return wrapped.isInstance(proxy) || this.target.isWrapperFor(wrapped);
			default:
				return invokeJdbc(proxy, method, args);
		}
	}

	/**
	 * Handles every other method of the proxied JDBC interface.
	 */
	abstract @Nullable Object invokeJdbc(Object proxy, Method method, @Nullable Object[] args) throws Throwable;

}
