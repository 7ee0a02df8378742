package io.github.connectionlifecycle.scheduling;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.github.connectionlifecycle.work.WorkBoundaries;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.core.MethodIntrospector;
import org.springframework.util.ReflectionUtils;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.annotation.ScheduledAnnotationBeanPostProcessor;
import org.springframework.scheduling.annotation.Schedules;
import org.springframework.util.ClassUtils;

/**
 * Advises every {@code @Scheduled} method so that each run is one unit of work on the
 * thread that runs it, whatever scheduler runs it. Advising the method rather than wrapping
 * the scheduler keeps {@code @Scheduled(scheduler = "...")} routing, virtual-thread
 * schedulers and user-defined schedulers intact, and does not clash with libraries that
 * wrap the scheduler themselves.
 * <p>
 * Runs just before {@link ScheduledAnnotationBeanPostProcessor} (see {@link #ORDER}), so
 * that the scheduled task is registered against the proxy rather than the raw bean. Beans
 * are proxied by class so that the scheduled method is still found on the proxy; a bean
 * that is already a proxy gets our advisor in front of its own (a unit of work opens before
 * a transaction does). A bean whose {@code @Scheduled} methods cannot be advised through a
 * class-based proxy (final class, final, private or static method) is left alone, and a
 * warning names it: proxying it would change what its methods do or fail start-up.
 * <p>
 * The advice is on the method, so a direct call to a {@code @Scheduled} method (a job
 * triggered by hand) is a unit of work as well, unless it happens inside one.
 */
public final class ScheduledWorkAdvisingPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

	/**
	 * The order of this post-processor: right before the
	 * {@link ScheduledAnnotationBeanPostProcessor} ({@link Ordered#LOWEST_PRECEDENCE}), after
	 * auto-proxy creators, so that existing proxies get our advisor instead of a second proxy.
	 */
	public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 1;

	private static final Log logger = LogFactory.getLog(ScheduledWorkAdvisingPostProcessor.class);

	private final Map<Class<?>, Boolean> advisableClasses = new ConcurrentHashMap<>();

	private final SortedSet<String> advisedMethods = new ConcurrentSkipListSet<>();

	private final SortedMap<String, String> unadvisableMethods = new ConcurrentSkipListMap<>();

	/**
	 * Creates the post-processor.
	 * @param workBoundaries supplies the boundaries at each run, or {@code null} when there
	 * are none (the method then runs as if it were not advised)
	 */
	public ScheduledWorkAdvisingPostProcessor(Supplier<@Nullable WorkBoundaries> workBoundaries) {
		this.advisor = new DefaultPointcutAdvisor(new ScheduledMethodPointcut(),
				new ScheduledWorkInterceptor(workBoundaries));
		this.beforeExistingAdvisors = true;
		setProxyTargetClass(true);
		setOrder(ORDER);
	}

	@Override
	protected boolean isEligible(Class<?> targetClass) {
		return this.advisableClasses.computeIfAbsent(targetClass, this::isAdvisable);
	}

	private boolean isAdvisable(Class<?> targetClass) {
		if (!super.isEligible(targetClass)) {
			return false;
		}
		Map<Method, String> unadvisable = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<String>) (method) -> isScheduled(method)
						? whyNotAdvisable(method, targetClass) : null);
		Set<Method> scheduled = MethodIntrospector.selectMethods(targetClass,
				(ReflectionUtils.MethodFilter) ScheduledWorkAdvisingPostProcessor::isScheduled);
		for (Method method : scheduled) {
			String name = ClassUtils.getQualifiedMethodName(method, targetClass);
			if (unadvisable.isEmpty()) {
				this.advisedMethods.add(name);
			}
			else {
				this.unadvisableMethods.put(name, unadvisable.getOrDefault(method,
						"another @Scheduled method of its class cannot be advised"));
			}
		}
		if (unadvisable.isEmpty()) {
			return true;
		}
		logger.warn("@Scheduled runs of " + targetClass.getName() + " have no unit-of-work boundaries (no "
				+ "connection cleanup): " + describe(unadvisable.entrySet(), targetClass)
				+ ". Make the class and its @Scheduled methods non-final and non-private, "
				+ "or wrap the method bodies in WorkBoundaries.run(...)");
		return false;
	}

	/**
	 * The {@code @Scheduled} methods whose runs are units of work.
	 * @return their qualified names, sorted
	 */
	public List<String> getAdvisedMethods() {
		return List.copyOf(this.advisedMethods);
	}

	/**
	 * The {@code @Scheduled} methods that could not be advised, and why; a class with one of
	 * them is left alone entirely, as the start-up warning says.
	 * @return why each could not be advised, by qualified method name
	 */
	public SortedMap<String, String> getUnadvisableMethods() {
		return Collections.unmodifiableSortedMap(new TreeMap<>(this.unadvisableMethods));
	}

	private static @Nullable String whyNotAdvisable(Method method, Class<?> targetClass) {
		if (Modifier.isFinal(targetClass.getModifiers())) {
			return "the class is final";
		}
		int modifiers = method.getModifiers();
		if (Modifier.isStatic(modifiers)) {
			return "the method is static";
		}
		if (Modifier.isPrivate(modifiers)) {
			return "the method is private";
		}
		return Modifier.isFinal(modifiers) ? "the method is final" : null;
	}

	private static String describe(Set<Map.Entry<Method, String>> unadvisable, Class<?> targetClass) {
		return unadvisable.stream()
			.map((entry) -> ClassUtils.getQualifiedMethodName(entry.getKey(), targetClass) + "() cannot be advised, "
					+ entry.getValue())
			.sorted()
			.collect(Collectors.joining("; "));
	}

	private static boolean isScheduled(Method method) {
		return !AnnotatedElementUtils.getMergedRepeatableAnnotations(method, Scheduled.class, Schedules.class)
			.isEmpty();
	}

	/**
	 * Matches the methods that {@link ScheduledAnnotationBeanPostProcessor} schedules.
	 */
	private static final class ScheduledMethodPointcut extends StaticMethodMatcherPointcut {

		ScheduledMethodPointcut() {
			setClassFilter((candidate) -> AnnotationUtils.isCandidateClass(candidate, Scheduled.class));
		}

		@Override
		public boolean matches(Method method, Class<?> targetClass) {
			return isScheduled(AopUtils.getMostSpecificMethod(method, targetClass));
		}

	}

}
