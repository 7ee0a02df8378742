package io.github.connectionlifecycle.batch;

import java.util.List;
import java.util.function.Supplier;

import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkKind;
import io.github.connectionlifecycle.work.WorkScope;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.listener.ChunkListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.StepInterruptionPolicy;
import org.springframework.batch.infrastructure.item.Chunk;

/**
 * Opens a unit of work before each chunk transaction of one step and ends it after the
 * transaction, so that the connection the transaction borrows at its start is borrowed
 * inside the unit and given back before the unit ends.
 * <p>
 * The hook is the step's {@link StepInterruptionPolicy}, which Spring Batch checks at chunk
 * boundaries, outside the chunk's transaction: a {@code ChunkOrientedStep} checks once
 * before each chunk, a {@code TaskletStep} before and after each transaction, but not after
 * one that rolled back (its exception leaves the iteration; when the step's exception
 * handler lets the step go on, the next check is before the next transaction). The policy
 * the step had is still checked, inside. The last unit, and the unit of a chunk that ended
 * the step by failing, end in {@link #afterStep}.
 *
 * @param <I> the step's input item type
 * @param <O> the step's output item type
 */
final class ChunkWorkUnits<I, O> implements StepInterruptionPolicy, StepExecutionListener, ChunkListener<I, O> {

	private static final Log logger = LogFactory.getLog(ChunkWorkUnits.class);

	private final Supplier<@Nullable WorkBoundaries> workBoundaries;

	private final StepInterruptionPolicy delegate;

	private final WorkKind kind;

	private final boolean checkedAfterEachTransaction;

	/** Per thread: partitioned and concurrent steps run one step bean on several threads. */
	private final ThreadLocal<OpenChunk> openChunk = new ThreadLocal<>();

	/**
	 * @param workBoundaries supplies the boundaries when a chunk starts, or {@code null}
	 * @param delegate the policy the step had
	 * @param kind the kind of unit
	 * @param checkedAfterEachTransaction whether the step checks the policy after each
	 * transaction too ({@code TaskletStep}), or only before ({@code ChunkOrientedStep})
	 */
	ChunkWorkUnits(Supplier<@Nullable WorkBoundaries> workBoundaries, StepInterruptionPolicy delegate, WorkKind kind,
			boolean checkedAfterEachTransaction) {
		this.workBoundaries = workBoundaries;
		this.delegate = delegate;
		this.kind = kind;
		this.checkedAfterEachTransaction = checkedAfterEachTransaction;
	}

	StepInterruptionPolicy getDelegate() {
		return this.delegate;
	}

	@Override
	public void checkInterrupted(StepExecution stepExecution) throws JobInterruptedException {
		OpenChunk open = this.openChunk.get();
		boolean afterTransaction = open != null && this.checkedAfterEachTransaction
				&& stepExecution.getRollbackCount() == open.rollbacksAtStart();
		closeUnit();
		this.delegate.checkInterrupted(stepExecution);
		if (!afterTransaction) {
			openUnit(stepExecution);
		}
	}

	@Override
	public void onChunkError(Exception exception, Chunk<O> chunk) {
		OpenChunk open = this.openChunk.get();
		if (open != null) {
			open.scope().fail(exception);
		}
	}

	@Override
	public @Nullable ExitStatus afterStep(StepExecution stepExecution) {
		OpenChunk open = this.openChunk.get();
		List<Throwable> failures = stepExecution.getFailureExceptions();
		if (open != null && !failures.isEmpty()) {
			open.scope().fail(failures.get(0));
		}
		closeUnit();
		return null;
	}

	private void openUnit(StepExecution stepExecution) {
		try {
			WorkBoundaries boundaries = this.workBoundaries.get();
			if (boundaries != null) {
				WorkScope scope = boundaries.open(UnitOfWork.of(this.kind, stepExecution, ChunkWorkUnits::describe));
				this.openChunk.set(new OpenChunk(scope, stepExecution.getRollbackCount()));
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not open a unit of work; this chunk of step " + stepExecution.getStepName()
					+ " goes on without one", ex);
		}
	}

	private void closeUnit() {
		OpenChunk open = this.openChunk.get();
		if (open == null) {
			return;
		}
		this.openChunk.remove();
		try {
			open.scope().close();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not close a unit of work; the step goes on", ex);
		}
	}

	/**
	 * The unit open for a chunk on this thread.
	 *
	 * @param scope the unit
	 * @param rollbacksAtStart the step's rollback count when it opened: a higher count at the
	 * next check means the chunk's transaction rolled back
	 */
	private record OpenChunk(WorkScope scope, long rollbacksAtStart) {
	}

	private static String describe(StepExecution stepExecution) {
		return stepExecution.getJobExecution().getJobInstance().getJobName() + "." + stepExecution.getStepName();
	}

}
