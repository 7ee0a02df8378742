package io.github.connectionlifecycle.scheduling;

import java.lang.reflect.Method;
import java.util.function.Supplier;

import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.UnitOfWorkInterceptor;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkKind;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * Runs one invocation of a {@code @Scheduled} method as one unit of work of kind
 * {@link WorkKind#SCHEDULED}, named {@code <BeanClass>.<method>}. The method's own
 * exception reaches the scheduler unchanged; nothing of ours ever does.
 */
final class ScheduledWorkInterceptor implements MethodInterceptor {

	private final UnitOfWorkInterceptor units;

	ScheduledWorkInterceptor(Supplier<@Nullable WorkBoundaries> workBoundaries) {
		this.units = new UnitOfWorkInterceptor(workBoundaries, ScheduledWorkInterceptor::unitFor);
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		return this.units.invoke(invocation);
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
