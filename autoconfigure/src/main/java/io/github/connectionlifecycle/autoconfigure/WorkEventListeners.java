package io.github.connectionlifecycle.autoconfigure;

import java.util.function.BooleanSupplier;

import io.github.connectionlifecycle.work.WorkFinishedEvent;
import io.github.connectionlifecycle.work.WorkStartedEvent;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.event.GenericApplicationListener;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.core.ResolvableType;

/**
 * Tells whether any application listener listens to {@link WorkStartedEvent} or
 * {@link WorkFinishedEvent}, so that units of work publish them only then: publishing an
 * event nobody receives costs more than the boundary itself. The answer is worked out at
 * the first unit of work and again once the context is refreshed (a unit run while the
 * context starts may come before the {@code @EventListener} methods are registered):
 * {@code @EventListener} methods and {@link ApplicationListener} beans (also lazy ones) are
 * seen, and so are listeners of a parent context. Where the answer cannot be known, it is
 * yes.
 */
final class WorkEventListeners implements BooleanSupplier, ApplicationListener<ContextRefreshedEvent> {

	/** Spring Boot's relay for {@code context.listener.classes}: listens to everything, forwards only then. */
	private static final String BOOT_DELEGATING_LISTENER = "org.springframework.boot.context.config.DelegatingApplicationListener";

	private static final ResolvableType STARTED = ResolvableType.forClass(WorkStartedEvent.class);

	private static final ResolvableType FINISHED = ResolvableType.forClass(WorkFinishedEvent.class);

	private final ApplicationContext context;

	private volatile @Nullable Boolean listenedTo;

	WorkEventListeners(ApplicationContext context) {
		this.context = context;
	}

	@Override
	public boolean getAsBoolean() {
		Boolean listenedTo = this.listenedTo;
		if (listenedTo == null) {
			listenedTo = anyIn(this.context);
			this.listenedTo = listenedTo;
		}
		return listenedTo;
	}

	@Override
	public void onApplicationEvent(ContextRefreshedEvent event) {
		if (event.getApplicationContext() == this.context) {
			this.listenedTo = null;
		}
	}

	static boolean anyIn(ApplicationContext context) {
		for (ApplicationContext current = context; current != null; current = current.getParent()) {
			if (!(current instanceof AbstractApplicationContext applicationContext)) {
				return true;
			}
			for (ApplicationListener<?> listener : applicationContext.getApplicationListeners()) {
				if (listens(listener, current)) {
					return true;
				}
			}
			if (listenerBeanListens(applicationContext.getBeanFactory())) {
				return true;
			}
		}
		return false;
	}

	private static boolean listens(ApplicationListener<?> listener, ApplicationContext context) {
		if (listener.getClass().getName().equals(BOOT_DELEGATING_LISTENER)) {
			return context.getEnvironment().containsProperty("context.listener.classes");
		}
		if (listener instanceof GenericApplicationListener generic) {
			return generic.supportsEventType(STARTED) || generic.supportsEventType(FINISHED);
		}
		if (listener instanceof SmartApplicationListener smart) {
			return smart.supportsEventType(WorkStartedEvent.class) || smart.supportsEventType(WorkFinishedEvent.class);
		}
		return listensByDeclaration(listener.getClass());
	}

	/**
	 * Listener beans that are not singletons already created (lazy or prototype ones) are
	 * known by their type only; created singletons are among the context's listeners.
	 */
	private static boolean listenerBeanListens(ConfigurableListableBeanFactory beanFactory) {
		for (String name : beanFactory.getBeanNamesForType(ApplicationListener.class, true, false)) {
			if (beanFactory.containsSingleton(name)) {
				continue;
			}
			Class<?> type = beanFactory.getType(name, false);
			if (type == null || SmartApplicationListener.class.isAssignableFrom(type)
					|| GenericApplicationListener.class.isAssignableFrom(type) || listensByDeclaration(type)) {
				return true;
			}
		}
		return false;
	}

	private static boolean listensByDeclaration(Class<?> listenerType) {
		ResolvableType declared = ResolvableType.forClass(listenerType).as(ApplicationListener.class).getGeneric();
		Class<?> eventType = declared.resolve();
		return eventType == null || eventType.isAssignableFrom(WorkStartedEvent.class)
				|| eventType.isAssignableFrom(WorkFinishedEvent.class);
	}

}
