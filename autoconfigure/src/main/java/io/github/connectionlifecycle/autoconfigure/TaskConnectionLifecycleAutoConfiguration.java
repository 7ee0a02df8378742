package io.github.connectionlifecycle.autoconfigure;

import java.util.List;
import java.util.function.Supplier;

import io.github.connectionlifecycle.task.WorkUnitTaskDecorator;
import io.github.connectionlifecycle.work.WorkBoundaries;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.task.SimpleAsyncTaskExecutorCustomizer;
import org.springframework.boot.task.ThreadPoolTaskExecutorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;
import org.springframework.util.function.SingletonSupplier;

/**
 * Auto-configuration that makes every task run by an executor built by Spring Boot's task
 * executor builders a unit of work: {@code applicationTaskExecutor} (a
 * {@code ThreadPoolTaskExecutor}, or a {@code SimpleAsyncTaskExecutor} when virtual threads
 * are on), hence {@code @Async} methods, and executors the application builds from the
 * builders.
 * <p>
 * Contributed as executor customizers rather than as a {@link TaskDecorator} bean: Spring
 * Boot applies task decorator beans to its task schedulers too, where a task unit would
 * swallow the {@code @Scheduled} one. The customizers wrap the decorators the application
 * defined, composed as Spring Boot composes them.
 */
@AutoConfiguration(after = ConnectionLifecycleAutoConfiguration.class)
@ConditionalOnClass(ThreadPoolTaskExecutorCustomizer.class)
@ConditionalOnBooleanProperty(name = "connection.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "connection.async.enabled", matchIfMissing = true)
@ConditionalOnBean(WorkBoundaries.class)
public final class TaskConnectionLifecycleAutoConfiguration {

	@Bean
	ThreadPoolTaskExecutorCustomizer workUnitThreadPoolTaskExecutorCustomizer(
			ObjectProvider<WorkBoundaries> workBoundaries, ObjectProvider<TaskDecorator> taskDecorators) {
		return (executor) -> executor.setTaskDecorator(workUnitTaskDecorator(workBoundaries, taskDecorators));
	}

	@Bean
	SimpleAsyncTaskExecutorCustomizer workUnitSimpleAsyncTaskExecutorCustomizer(
			ObjectProvider<WorkBoundaries> workBoundaries, ObjectProvider<TaskDecorator> taskDecorators) {
		return (executor) -> executor.setTaskDecorator(workUnitTaskDecorator(workBoundaries, taskDecorators));
	}

	private static TaskDecorator workUnitTaskDecorator(ObjectProvider<WorkBoundaries> workBoundaries,
			ObjectProvider<TaskDecorator> taskDecorators) {
		// Looked up when the first task starts: executors may be built before the boundaries.
		Supplier<@Nullable WorkBoundaries> boundaries = SingletonSupplier.of(workBoundaries::getIfAvailable);
		return new WorkUnitTaskDecorator(boundaries, applicationDecorator(taskDecorators));
	}

	/** The application's decorator beans, as Spring Boot's builders would have applied them. */
	private static @Nullable TaskDecorator applicationDecorator(ObjectProvider<TaskDecorator> taskDecorators) {
		List<TaskDecorator> decorators = taskDecorators.orderedStream().toList();
		if (decorators.isEmpty()) {
			return null;
		}
		return (decorators.size() == 1) ? decorators.get(0) : new CompositeTaskDecorator(decorators);
	}

}
