package io.github.connectionlifecycle.jms;

import java.util.Arrays;
import java.util.function.Supplier;

import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.UnitOfWorkInterceptor;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkKind;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.NameMatchMethodPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jms.config.JmsListenerContainerFactory;
import org.springframework.jms.config.JmsListenerEndpoint;
import org.springframework.jms.listener.AbstractMessageListenerContainer;
import org.springframework.util.Assert;
import org.springframework.util.function.SingletonSupplier;

/**
 * Makes every JMS message delivered to a listener container a unit of work of kind
 * {@link WorkKind#JMS_MESSAGE}: the listener of every {@link AbstractMessageListenerContainer}
 * bean is advised, and so is the listener of every container that a
 * {@link JmsListenerContainerFactory} bean creates ({@code @JmsListener} endpoints), through
 * a class-based proxy of the factory that keeps its type.
 * <p>
 * The listener is advised rather than replaced: the proxy has every interface the listener
 * has ({@code SessionAwareMessageListener}, {@code SubscriptionNameProvider}, ...), so the
 * container treats it exactly as before. The unit spans the listener's {@code onMessage};
 * where the container is session-transacted, one message is one session transaction, which
 * the container commits (or rolls back, after a failure) right after the unit ends. With a
 * container transaction manager, the transaction begins before the message is received,
 * outside the unit.
 */
public final class JmsWorkBoundariesPostProcessor implements BeanPostProcessor {

	private final Supplier<@Nullable WorkBoundaries> workBoundaries;

	/**
	 * Creates a post-processor that resolves the {@link WorkBoundaries} at the first message.
	 * @param workBoundaries where units of work are opened
	 */
	public JmsWorkBoundariesPostProcessor(ObjectProvider<WorkBoundaries> workBoundaries) {
		Assert.notNull(workBoundaries, "workBoundaries must not be null");
		this.workBoundaries = SingletonSupplier.of(workBoundaries::getIfAvailable);
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		if (bean instanceof AbstractMessageListenerContainer container) {
			adviseListener(container, beanName);
		}
		return bean;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof JmsListenerContainerFactory<?> factory) {
			ProxyFactory proxyFactory = new ProxyFactory(factory);
			proxyFactory.setProxyTargetClass(true);
			NameMatchMethodPointcut createContainer = new NameMatchMethodPointcut();
			createContainer.setMappedName("createListenerContainer");
			proxyFactory.addAdvisor(new DefaultPointcutAdvisor(createContainer, new ContainerListenerAdvisor()));
			return proxyFactory.getProxy(factory.getClass().getClassLoader());
		}
		return bean;
	}

	/**
	 * Advises the container's listener, unless there is none yet or it is advised already.
	 * @param container the container
	 * @param name names its units: the container bean's name or the endpoint's id
	 */
	private void adviseListener(AbstractMessageListenerContainer container, @Nullable String name) {
		Object listener = container.getMessageListener();
		if (listener == null || opensUnits(listener)) {
			return;
		}
		ProxyFactory proxyFactory = new ProxyFactory(listener);
		NameMatchMethodPointcut onMessage = new NameMatchMethodPointcut();
		onMessage.setMappedName("onMessage");
		String prefix = (name != null) ? name + " " : "";
		proxyFactory.addAdvisor(new DefaultPointcutAdvisor(onMessage, new UnitOfWorkInterceptor(this.workBoundaries,
				(invocation) -> unitFor(prefix, (Message) invocation.getArguments()[0]))));
		container.setMessageListener(proxyFactory.getProxy(listener.getClass().getClassLoader()));
	}

	private static UnitOfWork unitFor(String prefix, Message message) {
		return UnitOfWork.of(WorkKind.JMS_MESSAGE, new Delivery(prefix, message), Delivery::name);
	}

	/** A container bean made by a post-processed factory has an advised listener already. */
	private static boolean opensUnits(Object listener) {
		return listener instanceof Advised advised && Arrays.stream(advised.getAdvisors())
			.anyMatch((advisor) -> advisor.getAdvice() instanceof UnitOfWorkInterceptor);
	}

	/**
	 * Advises the listener of each container the factory creates, once the endpoint has set
	 * it up and before the container is initialized and started.
	 */
	private final class ContainerListenerAdvisor implements MethodInterceptor {

		@Override
		public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
			Object container = invocation.proceed();
			if (container instanceof AbstractMessageListenerContainer listenerContainer
					&& invocation.getArguments()[0] instanceof JmsListenerEndpoint endpoint) {
				adviseListener(listenerContainer, endpoint.getId());
			}
			return container;
		}

	}

	/**
	 * What a unit's name is made of, kept until the name is asked for:
	 * {@code [container ]destination messageId}.
	 */
	private record Delivery(String prefix, Message message) {

		String name() {
			try {
				Destination destination = this.message.getJMSDestination();
				return this.prefix + destination + " " + this.message.getJMSMessageID();
			}
			catch (JMSException ex) {
				return this.prefix + "message";
			}
		}

	}

}
