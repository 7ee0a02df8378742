package io.github.connectionlifecycle.work;

import java.util.function.Function;
import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Runs each invocation of the advised method as one unit of work on the calling thread, for
 * entry points that advise a method the framework calls once per delivery or run. The
 * method's own exception reaches the caller unchanged and is carried on the unit; nothing of
 * ours ever does: when no unit can be opened, the method runs without one.
 */
public final class UnitOfWorkInterceptor implements MethodInterceptor {

	private static final Log logger = LogFactory.getLog(UnitOfWorkInterceptor.class);

	private final Supplier<@Nullable WorkBoundaries> workBoundaries;

	private final Function<MethodInvocation, UnitOfWork> unitFor;

	/**
	 * Creates an interceptor.
	 * @param workBoundaries supplies the boundaries at each invocation, or {@code null} when
	 * there are none (the method then runs as if it were not advised)
	 * @param unitFor describes the unit of one invocation; called on every invocation, so it
	 * should name the unit lazily ({@link UnitOfWork#of})
	 */
	public UnitOfWorkInterceptor(Supplier<@Nullable WorkBoundaries> workBoundaries,
			Function<MethodInvocation, UnitOfWork> unitFor) {
		Assert.notNull(workBoundaries, "workBoundaries must not be null");
		Assert.notNull(unitFor, "unitFor must not be null");
		this.workBoundaries = workBoundaries;
		this.unitFor = unitFor;
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
			return (boundaries != null) ? boundaries.open(this.unitFor.apply(invocation)) : null;
		}
		catch (RuntimeException ex) {
			// For instance an invocation while the context is closing: the work still runs.
			logger.warn("Could not open a unit of work for " + invocation.getMethod()
					+ "; this invocation has no boundaries", ex);
			return null;
		}
	}

}
