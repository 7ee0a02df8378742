package io.github.connectionlifecycle.autoconfigure;

import io.github.connectionlifecycle.scheduling.ScheduledWorkAdvisingPostProcessor;
import io.github.connectionlifecycle.work.WorkBoundaries;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.ScheduledAnnotationBeanPostProcessor;
import org.springframework.util.function.SingletonSupplier;

/**
 * Auto-configuration that makes every {@code @Scheduled} run a unit of work, when
 * scheduling is enabled ({@code @EnableScheduling} or an own
 * {@link ScheduledAnnotationBeanPostProcessor}).
 */
@AutoConfiguration(after = ConnectionLifecycleAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "connection.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "connection.scheduling.enabled", matchIfMissing = true)
@ConditionalOnBean({ WorkBoundaries.class, ScheduledAnnotationBeanPostProcessor.class })
public final class SchedulingConnectionLifecycleAutoConfiguration {

	@Bean
	static ScheduledWorkAdvisingPostProcessor scheduledWorkAdvisingPostProcessor(
			ObjectProvider<WorkBoundaries> workBoundaries) {
		// Looked up at the first run, not now: a post-processor must not initialise beans early.
		return new ScheduledWorkAdvisingPostProcessor(SingletonSupplier.of(workBoundaries::getIfAvailable));
	}

}
