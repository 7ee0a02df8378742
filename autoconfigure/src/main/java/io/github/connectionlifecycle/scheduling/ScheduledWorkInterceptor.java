package io.github.connectionlifecycle.scheduling;

import java.lang.reflect.Method;
import java.util.function.Supplier;

import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkKind;
import io.github.connectionlifecycle.work.WorkScope;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * Runs one invocation of a {@code @Scheduled} method as one unit of work of kind
 * {@link WorkKind#SCHEDULED}, named {@code <BeanClass>.<method>}. The method's own
 * exception reaches the scheduler unchanged; nothing of ours ever does.
 */
final class ScheduledWorkInterceptor implements MethodInterceptor {

	private static final Log logger = LogFactory.getLog(ScheduledWorkInterceptor.class);

	private final Supplier<@Nullable WorkBoundaries> workBoundaries;

	ScheduledWorkInterceptor(Supplier<@Nullable WorkBoundaries> workBoundaries) {
		this.workBoundaries = workBoundaries;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		try (WorkScope scope = open(invocation)) {
			try {
				return invocation.proceed();
			}
			catch (Throwable ex) {
				if (scope != null) {
					scope.fail(ex);
				}
				throw ex;
			}
		}
	}

	private @Nullable WorkScope open(MethodInvocation invocation) {
		try {
			WorkBoundaries boundaries = this.workBoundaries.get();
			return (boundaries != null) ? boundaries.open(unitFor(invocation)) : null;
		}
		catch (RuntimeException ex) {
			// For instance a run that starts while the context is closing: the job still runs.
			logger.warn("Could not open a unit of work for " + invocation.getMethod()
					+ "; this run has no boundaries", ex);
			return null;
		}
	}

	private static UnitOfWork unitFor(MethodInvocation invocation) {
		return UnitOfWork.of(WorkKind.SCHEDULED, invocation, ScheduledWorkInterceptor::describe);
	}

	private static String describe(MethodInvocation invocation) {
		Method method = invocation.getMethod();
		Object target = invocation.getThis();
		Class<?> beanClass = (target != null) ? ClassUtils.getUserClass(target) : method.getDeclaringClass();
		return ClassUtils.getShortName(beanClass) + "." + method.getName();
	}

}
