package io.github.connectionlifecycle.jdbc.interception;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import io.github.connectionlifecycle.jdbc.CleanupPolicy;
import io.github.connectionlifecycle.jdbc.pool.PoolAdapter;
import io.github.connectionlifecycle.jdbc.pool.PoolAdapterFactory;
import io.github.connectionlifecycle.jdbc.pool.PoolAdapters;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.scope.ScopedObject;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.Ordered;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;

/**
 * Puts every DataSource bean (but the excluded ones) under the connection lifecycle: the
 * pool is proxied so that {@code getConnection()} goes through a
 * {@link ConnectionBorrowInterceptor}, and registered with the
 * {@link ConnectionLifecycleCleanup}. The proxy subclasses the pool's class where it can,
 * so injection by the pool's own type keeps working, and unwraps to the pool (see
 * {@link DataSourceProxies}).
 * <ul>
 * <li>A {@link DelegatingDataSource} ({@code LazyConnectionDataSourceProxy},
 * {@code TransactionAwareDataSourceProxy}) keeps its own connection proxies: its target is
 * put under the lifecycle instead, so lazy connections stay lazy.</li>
 * <li>Each target of an {@link AbstractRoutingDataSource} is managed as its own pool, so a
 * retirement only ever goes to the pool that owns the connection.</li>
 * <li>A DataSource that wraps one already under the lifecycle (the pool is a bean of its
 * own) is left as it is, so no pool is managed twice.</li>
 * <li>Scoped targets ({@code @RefreshScope}) are left alone; their scoped proxy is managed
 * without a pool API, since its pool changes under it.</li>
 * <li>A DataSource bean that is destroyed is no longer managed.</li>
 * </ul>
 */
public final class ConnectionLifecycleDataSourcePostProcessor implements DestructionAwareBeanPostProcessor, Ordered {

	private static final Log logger = LogFactory.getLog(ConnectionLifecycleDataSourcePostProcessor.class);

	/** How many wrapping layers are searched for a managed DataSource. */
	private static final int MAX_WRAPPING_DEPTH = 8;

	private final ObjectProvider<ConnectionLifecycleCleanup> cleanup;

	private final ObjectProvider<CleanupPolicy> policy;

	private final ObjectProvider<ApplicationEventPublisher> eventPublisher;

	private final ObjectProvider<PoolAdapterFactory> adapterFactories;

	private final Set<String> excludedBeanNames;

	/** DataSources under the lifecycle (the proxies and their targets), by name. */
	private final Map<DataSource, String> managed = Collections.synchronizedMap(new IdentityHashMap<>());

	/** What each bean put under the lifecycle, to forget when it is destroyed. */
	private final Map<Object, List<ManagedDataSource>> managedByBean = Collections
		.synchronizedMap(new IdentityHashMap<>());

	/**
	 * Creates the post-processor; its collaborators are resolved only when the first
	 * DataSource bean is processed.
	 * @param cleanup the cleanup that DataSources register with
	 * @param policy what to retire
	 * @param eventPublisher where {@link io.github.connectionlifecycle.jdbc.ConnectionRetiredEvent}s go
	 * @param adapterFactories adapters for pools the built-in ones do not know
	 * @param excludedBeanNames DataSource bean names to leave alone
	 */
	public ConnectionLifecycleDataSourcePostProcessor(ObjectProvider<ConnectionLifecycleCleanup> cleanup,
			ObjectProvider<CleanupPolicy> policy, ObjectProvider<ApplicationEventPublisher> eventPublisher,
			ObjectProvider<PoolAdapterFactory> adapterFactories, Set<String> excludedBeanNames) {
		this.cleanup = cleanup;
		this.policy = policy;
		this.eventPublisher = eventPublisher;
		this.adapterFactories = adapterFactories;
		this.excludedBeanNames = Set.copyOf(excludedBeanNames);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (!(bean instanceof DataSource dataSource) || this.excludedBeanNames.contains(beanName)
				|| ScopedProxyUtils.isScopedTarget(beanName)) {
			return bean;
		}
		String managedAs = this.managed.containsKey(dataSource) ? this.managed.get(dataSource)
				: managedDelegateName(dataSource);
		if (managedAs != null) {
			logger.info("DataSource '" + beanName + "' wraps DataSource '" + managedAs
					+ "', whose connections the connection lifecycle manages already");
			return bean;
		}
		List<ManagedDataSource> managedHere = new ArrayList<>();
		DataSource result = manage(dataSource, beanName, managedHere);
		// Destruction callbacks get the bean as created, not the proxy that replaced it.
		this.managedByBean.put(bean, managedHere);
		this.managedByBean.put(result, managedHere);
		return result;
	}

	private DataSource manage(DataSource dataSource, String name, List<ManagedDataSource> managedHere) {
		if (dataSource instanceof DelegatingDataSource delegating && delegating.getTargetDataSource() != null) {
			delegating.setTargetDataSource(manage(delegating.getTargetDataSource(), name, managedHere));
			return dataSource;
		}
		if (dataSource instanceof AbstractRoutingDataSource router) {
			manageTargets(router, name, managedHere);
			return dataSource;
		}
		PoolAdapter adapter = (dataSource instanceof ScopedObject) ? PoolAdapters.generic(name + " (scoped)")
				: PoolAdapters.forDataSource(dataSource, name, this.adapterFactories.orderedStream().toList());
		ConnectionLifecycleCleanup cleanup = this.cleanup.getObject();
		ManagedDataSource managedDataSource = new ManagedDataSource(name, dataSource, adapter, this.policy.getObject(),
				this.eventPublisher.getObject(), cleanup.clock());
		cleanup.register(managedDataSource);
		managedHere.add(managedDataSource);
		DataSource proxy = DataSourceProxies.proxy(dataSource,
				new ConnectionBorrowInterceptor(dataSource, managedDataSource, cleanup));
		this.managed.put(dataSource, name);
		this.managed.put(proxy, name);
		return proxy;
	}

	/**
	 * Manages each target of a router as its own pool, named after the router and the
	 * lookup key, and points the router at the managed targets.
	 */
	private void manageTargets(AbstractRoutingDataSource router, String name, List<ManagedDataSource> managedHere) {
		Map<Object, Object> targets = new LinkedHashMap<>();
		router.getResolvedDataSources().forEach((key, target) -> targets.put(key,
				manageTarget(target, name + "[" + key + "]", managedHere)));
		router.setTargetDataSources(targets);
		DataSource defaultTarget = router.getResolvedDefaultDataSource();
		if (defaultTarget != null) {
			Object managedDefault = targets.entrySet()
				.stream()
				.filter((entry) -> router.getResolvedDataSources().get(entry.getKey()) == defaultTarget)
				.map(Map.Entry::getValue)
				.findFirst()
				.orElseGet(() -> manageTarget(defaultTarget, name + "[default]", managedHere));
			router.setDefaultTargetDataSource(managedDefault);
		}
		router.initialize();
	}

	private DataSource manageTarget(DataSource target, String name, List<ManagedDataSource> managedHere) {
		return (this.managed.containsKey(target) || managedDelegateName(target) != null) ? target
				: manage(target, name, managedHere);
	}

	/**
	 * The name under which a DataSource that this one wraps is managed already.
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
		if (dataSource instanceof AbstractRoutingDataSource) {
			// Its targets are checked one by one.
			return null;
		}
		if (dataSource instanceof ManagedDataSourceProxy managedProxy) {
			return managedProxy.getLifecycleTarget();
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
	public boolean requiresDestruction(Object bean) {
		return this.managedByBean.containsKey(bean);
	}

	@Override
	public void postProcessBeforeDestruction(Object bean, String beanName) {
		List<ManagedDataSource> dataSources = this.managedByBean.remove(bean);
		if (dataSources != null) {
			synchronized (this.managedByBean) {
				this.managedByBean.values().removeIf((managed) -> managed == dataSources);
			}
			ConnectionLifecycleCleanup cleanup = this.cleanup.getIfAvailable();
			if (cleanup != null) {
				dataSources.forEach(cleanup::deregister);
			}
		}
	}

	@Override
	public int getOrder() {
		// After other post-processors have wrapped the DataSource (metrics, proxies), so the
		// pool is found behind what they made.
		return Ordered.LOWEST_PRECEDENCE;
	}

}
