package io.github.connectionlifecycle.autoconfigure;

import io.github.connectionlifecycle.batch.BatchWorkBoundariesPostProcessor;
import io.github.connectionlifecycle.work.WorkBoundaries;

import org.springframework.batch.core.step.item.ChunkOrientedStep;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.util.function.SingletonSupplier;

/**
 * Auto-configuration that makes every chunk of a Spring Batch chunk-oriented step, and every
 * {@code Tasklet} execution, a unit of work.
 */
@AutoConfiguration(after = ConnectionLifecycleAutoConfiguration.class)
@ConditionalOnClass(ChunkOrientedStep.class)
@ConditionalOnBooleanProperty(name = "connection.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "connection.batch.enabled", matchIfMissing = true)
@ConditionalOnBean(WorkBoundaries.class)
public final class BatchConnectionLifecycleAutoConfiguration {

	@Bean
	static BatchWorkBoundariesPostProcessor batchWorkBoundariesPostProcessor(
			ObjectProvider<WorkBoundaries> workBoundaries) {
		// Looked up at the first chunk, not now: a post-processor must not initialise beans early.
		return new BatchWorkBoundariesPostProcessor(SingletonSupplier.of(workBoundaries::getIfAvailable));
	}

}
