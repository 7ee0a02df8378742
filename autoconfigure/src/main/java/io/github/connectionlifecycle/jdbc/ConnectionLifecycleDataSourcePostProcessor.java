package io.github.connectionlifecycle.jdbc;

import java.lang.reflect.Modifier;
import java.util.Set;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.NameMatchMethodPointcutAdvisor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;

/**
 * Puts every DataSource bean (but the excluded ones) under the connection lifecycle: the
 * bean is proxied so that {@code getConnection()} goes through a
 * {@link ConnectionBorrowInterceptor}, and registered with the
 * {@link ConnectionLifecycleCleanup}. The proxy subclasses the DataSource's class where it
 * can, so injection by the pool's own type keeps working.
 */
public final class ConnectionLifecycleDataSourcePostProcessor implements BeanPostProcessor, Ordered {

	private static final boolean hikariPresent = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource",
			ConnectionLifecycleDataSourcePostProcessor.class.getClassLoader());

	private final ObjectProvider<ConnectionLifecycleCleanup> cleanup;

	private final ObjectProvider<CleanupPolicy> policy;

	private final ObjectProvider<ApplicationEventPublisher> eventPublisher;

	private final Set<String> excludedBeanNames;

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
		ConnectionLifecycleCleanup cleanup = this.cleanup.getObject();
		TrackedDataSource tracked = new TrackedDataSource(beanName, dataSource, poolAdapter(dataSource, beanName),
				this.policy.getObject(), this.eventPublisher.getObject());
		cleanup.register(tracked);
		ProxyFactory proxyFactory = new ProxyFactory(dataSource);
		proxyFactory.setProxyTargetClass(!Modifier.isFinal(dataSource.getClass().getModifiers()));
		NameMatchMethodPointcutAdvisor advisor = new NameMatchMethodPointcutAdvisor(
				new ConnectionBorrowInterceptor(tracked, cleanup));
		advisor.setMappedName("getConnection");
		proxyFactory.addAdvisor(advisor);
		return proxyFactory.getProxy(dataSource.getClass().getClassLoader());
	}

	private static PoolAdapter poolAdapter(DataSource dataSource, String beanName) {
		if (hikariPresent) {
			HikariDataSource hikari = DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class,
					HikariDataSource.class);
			if (hikari != null) {
				return new HikariPoolAdapter(hikari);
			}
		}
		return new GenericPoolAdapter(dataSource.getClass().getName() + " '" + beanName + "'");
	}

	@Override
	public int getOrder() {
		// After other post-processors have wrapped the DataSource (metrics, proxies): we see
		// the connections the application sees.
		return Ordered.LOWEST_PRECEDENCE;
	}

}
