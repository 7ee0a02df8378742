package io.github.connectionlifecycle.jdbc;

import java.lang.reflect.Modifier;
import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.NameMatchMethodPointcutAdvisor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.Ordered;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Puts every DataSource bean (but the excluded ones) under the connection lifecycle: the
 * bean is proxied so that {@code getConnection()} goes through a
 * {@link ConnectionBorrowInterceptor}, and registered with the
 * {@link ConnectionLifecycleCleanup}. The proxy subclasses the DataSource's class where it
 * can, so injection by the pool's own type keeps working.
 * <p>
 * A {@link DelegatingDataSource} ({@code LazyConnectionDataSourceProxy},
 * {@code TransactionAwareDataSourceProxy}) keeps its own connection proxies: its target is
 * put under the lifecycle instead, so only real borrows from the pool are seen and lazy
 * connections stay lazy. A DataSource that wraps one already under the lifecycle (the pool
 * is a bean of its own) is left as it is, so no pool is managed twice.
 */
public final class ConnectionLifecycleDataSourcePostProcessor implements BeanPostProcessor, Ordered {

	private static final Log logger = LogFactory.getLog(ConnectionLifecycleDataSourcePostProcessor.class);

	/** How many wrapping layers are searched for a managed DataSource. */
	private static final int MAX_WRAPPING_DEPTH = 8;

	private final ObjectProvider<ConnectionLifecycleCleanup> cleanup;

	private final ObjectProvider<CleanupPolicy> policy;

	private final ObjectProvider<ApplicationEventPublisher> eventPublisher;

	private final Set<String> excludedBeanNames;

	/** DataSources under the lifecycle (the proxies and their targets), by bean name. */
	private final Map<DataSource, String> managed = Collections.synchronizedMap(new IdentityHashMap<>());

	/**
	 * Creates the post-processor; its collaborators are resolved only when the first
	 * DataSource bean is processed.
	 * @param cleanup the cleanup that DataSources register with
	 * @param policy what to retire
	 * @param eventPublisher where {@link ConnectionRetiredEvent}s go
	 * @param excludedBeanNames DataSource bean names to leave alone
	 */
	public ConnectionLifecycleDataSourcePostProcessor(ObjectProvider<ConnectionLifecycleCleanup> cleanup,
			ObjectProvider<CleanupPolicy> policy, ObjectProvider<ApplicationEventPublisher> eventPublisher,
			Set<String> excludedBeanNames) {
		this.cleanup = cleanup;
		this.policy = policy;
		this.eventPublisher = eventPublisher;
		this.excludedBeanNames = Set.copyOf(excludedBeanNames);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (!(bean instanceof DataSource dataSource) || this.excludedBeanNames.contains(beanName)) {
			return bean;
		}
		String managedAs = managedDelegateName(dataSource);
		if (managedAs != null) {
			logger.info("DataSource '" + beanName + "' wraps DataSource '" + managedAs
					+ "', whose connections the connection lifecycle manages already");
			return bean;
		}
		return manage(dataSource, beanName);
	}

	private DataSource manage(DataSource dataSource, String beanName) {
		if (dataSource instanceof DelegatingDataSource delegating && delegating.getTargetDataSource() != null) {
			delegating.setTargetDataSource(manage(delegating.getTargetDataSource(), beanName));
			return dataSource;
		}
		ConnectionLifecycleCleanup cleanup = this.cleanup.getObject();
		TrackedDataSource tracked = new TrackedDataSource(beanName, dataSource,
				PoolAdapters.forDataSource(dataSource, beanName), this.policy.getObject(),
				this.eventPublisher.getObject());
		cleanup.register(tracked);
		ProxyFactory proxyFactory = new ProxyFactory(dataSource);
		proxyFactory.setProxyTargetClass(!Modifier.isFinal(dataSource.getClass().getModifiers()));
		NameMatchMethodPointcutAdvisor advisor = new NameMatchMethodPointcutAdvisor(
				new ConnectionBorrowInterceptor(tracked, cleanup));
		advisor.setMappedName("getConnection");
		proxyFactory.addAdvisor(advisor);
		DataSource proxy = (DataSource) proxyFactory.getProxy(dataSource.getClass().getClassLoader());
		this.managed.put(dataSource, beanName);
		this.managed.put(proxy, beanName);
		return proxy;
	}

	/**
	 * The bean name under which a DataSource that this one wraps is managed already.
	 */
	private @Nullable String managedDelegateName(DataSource dataSource) {
		DataSource current = dataSource;
		for (int depth = 0; depth < MAX_WRAPPING_DEPTH; depth++) {
			current = delegateOf(current);
			if (current == null) {
				return null;
			}
			String name = this.managed.get(current);
			if (name != null) {
				return name;
			}
		}
		return null;
	}

	private static @Nullable DataSource delegateOf(DataSource dataSource) {
		if (dataSource instanceof DelegatingDataSource delegating) {
			return delegating.getTargetDataSource();
		}
		if (AopUtils.isAopProxy(dataSource) && AopProxyUtils.getSingletonTarget(dataSource) instanceof DataSource target) {
			return target;
		}
		try {
			// Observation proxies (JDK proxies implementing Wrapper) hand out their target.
			DataSource unwrapped = dataSource.unwrap(DataSource.class);
			return (unwrapped != dataSource) ? unwrapped : null;
		}
		catch (SQLException | RuntimeException ex) {
			return null;
		}
	}

	@Override
	public int getOrder() {
		// After other post-processors have wrapped the DataSource (metrics, proxies), so the
		// pool is found behind what they made.
		return Ordered.LOWEST_PRECEDENCE;
	}

}
