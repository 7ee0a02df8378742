package io.github.connectionlifecycle.jdbc.interception;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;

import javax.sql.DataSource;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.scope.ScopedObject;
import org.springframework.aop.support.NameMatchMethodPointcutAdvisor;
import org.springframework.cglib.core.SpringNamingPolicy;
import org.springframework.cglib.proxy.Callback;
import org.springframework.cglib.proxy.CallbackFilter;
import org.springframework.cglib.proxy.Dispatcher;
import org.springframework.cglib.proxy.Enhancer;
import org.springframework.cglib.proxy.Factory;
import org.springframework.cglib.proxy.MethodInterceptor;
import org.springframework.cglib.proxy.NoOp;
import org.springframework.objenesis.SpringObjenesis;

/**
 * Makes the proxy that stands for a pool. Where the pool's class can be subclassed, the
 * proxy is a subclass (injection by the pool's own type keeps working) whose
 * {@code getConnection} methods call the {@link ConnectionBorrowInterceptor} directly and
 * whose other methods are dispatched to the pool without reflection or allocation: this is
 * on the path of every borrow. A final class or a JDK proxy (an observation wrapper) gets an
 * interface proxy from Spring's {@link ProxyFactory} instead. Both kinds implement
 * {@link ManagedDataSourceProxy}.
 */
final class DataSourceProxies {

	private static final SpringObjenesis objenesis = new SpringObjenesis();

	private static final int DISPATCH = 0;

	private static final int BORROW = 1;

	private static final int TARGET = 2;

	private static final int EQUALS = 3;

	private static final int HASH_CODE = 4;

	/** Not overridden: {@code finalize}, so that the proxy is not finalizable. */
	private static final int NOT_OVERRIDDEN = 5;

	private DataSourceProxies() {
	}

	static DataSource proxy(DataSource target, ConnectionBorrowInterceptor borrows) {
		Class<?> type = target.getClass();
		if (Modifier.isFinal(type.getModifiers()) || Proxy.isProxyClass(type) || target instanceof Factory
				|| target instanceof ScopedObject) {
			// A subclass is impossible, or of a class generated already (a CGLIB or scoped proxy).
			return interfaceProxy(target, borrows);
		}
		Enhancer enhancer = new Enhancer();
		enhancer.setSuperclass(type);
		enhancer.setInterfaces(new Class<?>[] { ManagedDataSourceProxy.class });
		enhancer.setClassLoader(type.getClassLoader());
		enhancer.setNamingPolicy(SpringNamingPolicy.INSTANCE);
		enhancer.setUseFactory(true);
		enhancer.setCallbackFilter(Methods.INSTANCE);
		enhancer.setCallbackTypes(new Class<?>[] { Dispatcher.class, MethodInterceptor.class, MethodInterceptor.class,
				MethodInterceptor.class, MethodInterceptor.class, NoOp.class });
		Class<?> proxyClass = enhancer.createClass();
		Factory proxy = (Factory) objenesis.newInstance(proxyClass, true);
		proxy.setCallbacks(new Callback[] { (Dispatcher) () -> target, borrowing(borrows),
				(MethodInterceptor) (object, method, args, methodProxy) -> target,
				(MethodInterceptor) (object, method, args, methodProxy) -> object == args[0]
						|| (args[0] instanceof ManagedDataSourceProxy other && other.getLifecycleTarget() == target),
				(MethodInterceptor) (object, method, args, methodProxy) -> System.identityHashCode(target),
				NoOp.INSTANCE });
		return (DataSource) proxy;
	}

	private static MethodInterceptor borrowing(ConnectionBorrowInterceptor borrows) {
		return (object, method, args, methodProxy) -> (args.length == 0) ? borrows.getConnection()
				: borrows.getConnection((String) args[0], (String) args[1]);
	}

	private static DataSource interfaceProxy(DataSource target, ConnectionBorrowInterceptor borrows) {
		ProxyFactory proxyFactory = new ProxyFactory(target);
		proxyFactory.setProxyTargetClass(false);
		proxyFactory.addInterface(ManagedDataSourceProxy.class);
		NameMatchMethodPointcutAdvisor advisor = new NameMatchMethodPointcutAdvisor(borrows);
		advisor.setMappedNames("getConnection", "getLifecycleTarget");
		proxyFactory.addAdvisor(advisor);
		proxyFactory.setFrozen(true);
		return (DataSource) proxyFactory.getProxy(target.getClass().getClassLoader());
	}

	/** Which callback serves a method; one instance, so that proxy classes are cached per pool class. */
	private static final class Methods implements CallbackFilter {

		static final Methods INSTANCE = new Methods();

		@Override
		public int accept(Method method) {
			String name = method.getName();
			int parameters = method.getParameterCount();
			if (name.equals("getConnection") && (parameters == 0 || parameters == 2)) {
				return BORROW;
			}
			if (name.equals("getLifecycleTarget") && parameters == 0) {
				return TARGET;
			}
			if (name.equals("equals") && parameters == 1) {
				return EQUALS;
			}
			if (name.equals("hashCode") && parameters == 0) {
				return HASH_CODE;
			}
			if (name.equals("finalize") && parameters == 0) {
				return NOT_OVERRIDDEN;
			}
			return DISPATCH;
		}

	}

}
