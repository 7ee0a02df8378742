package io.github.connectionlifecycle.batch;

import java.util.function.Supplier;

import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkKind;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.batch.core.step.ListableStepLocator;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepInterruptionPolicy;
import org.springframework.batch.core.step.item.ChunkOrientedStep;
import org.springframework.batch.core.step.item.ChunkOrientedTasklet;
import org.springframework.batch.core.step.tasklet.TaskletStep;
import org.springframework.beans.BeansException;
import org.springframework.beans.DirectFieldAccessor;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Makes every chunk of a {@link ChunkOrientedStep} a {@link WorkKind#BATCH_CHUNK} unit of
 * work and every transaction of a {@link TaskletStep} a {@link WorkKind#BATCH_TASKLET} unit
 * ({@link WorkKind#BATCH_CHUNK} when its tasklet is the chunk-oriented one of Spring Batch
 * 5), for step beans and for the steps of job beans (steps built inline, which are no
 * beans). The unit encloses the chunk's transaction: the connection a
 * {@code DataSourceTransactionManager} borrows when the transaction begins is borrowed
 * inside it.
 * <p>
 * Spring Batch offers no callback outside the chunk transaction but the step's
 * {@link StepInterruptionPolicy}, checked at chunk boundaries; the step's own policy is kept
 * and still checked. Steps have no getter for it, so it is read from the step's field.
 */
public final class BatchWorkBoundariesPostProcessor implements BeanPostProcessor {

	private static final Log logger = LogFactory.getLog(BatchWorkBoundariesPostProcessor.class);

	private static final String INTERRUPTION_POLICY = "interruptionPolicy";

	private final Supplier<@Nullable WorkBoundaries> workBoundaries;

	/**
	 * Creates the post-processor.
	 * @param workBoundaries supplies the boundaries when a chunk starts, or {@code null} when
	 * there are none (the chunk then runs as if the step were not post-processed)
	 */
	public BatchWorkBoundariesPostProcessor(Supplier<@Nullable WorkBoundaries> workBoundaries) {
		this.workBoundaries = workBoundaries;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		if (bean instanceof Step step) {
			addUnits(step);
		}
		if (bean instanceof ListableStepLocator job) {
			for (String stepName : job.getStepNames()) {
				Step step = job.getStep(stepName);
				if (step != null) {
					addUnits(step);
				}
			}
		}
		return bean;
	}

	private void addUnits(Step step) {
		if (step instanceof ChunkOrientedStep<?, ?> chunkStep) {
			addUnits(chunkStep);
		}
		else if (step instanceof TaskletStep taskletStep) {
			WorkKind kind = (taskletStep.getTasklet() instanceof ChunkOrientedTasklet) ? WorkKind.BATCH_CHUNK
					: WorkKind.BATCH_TASKLET;
			ChunkWorkUnits<?, ?> units = units(taskletStep, kind, true);
			if (units != null) {
				taskletStep.setInterruptionPolicy(units);
				taskletStep.registerStepExecutionListener(units);
			}
		}
	}

	private <I, O> void addUnits(ChunkOrientedStep<I, O> step) {
		ChunkWorkUnits<I, O> units = units(step, WorkKind.BATCH_CHUNK, false);
		if (units != null) {
			step.setInterruptionPolicy(units);
			step.registerStepExecutionListener(units);
			step.registerChunkListener(units);
		}
	}

	/** @return the units for the step, or {@code null} when it has them already or cannot get them */
	private <I, O> @Nullable ChunkWorkUnits<I, O> units(Step step, WorkKind kind,
			boolean checkedAfterEachTransaction) {
		Object policy;
		try {
			policy = new DirectFieldAccessor(step).getPropertyValue(INTERRUPTION_POLICY);
		}
		catch (BeansException ex) {
			logger.warn("Chunks of step " + step.getName() + " have no unit-of-work boundaries (no connection "
					+ "cleanup): its interruption policy could not be read", ex);
			return null;
		}
		if (policy instanceof ChunkWorkUnits<?, ?> || !(policy instanceof StepInterruptionPolicy stepPolicy)) {
			return null;
		}
		return new ChunkWorkUnits<>(this.workBoundaries, stepPolicy, kind, checkedAfterEachTransaction);
	}

}
