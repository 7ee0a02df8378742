package io.github.connectionlifecycle.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.connectionlifecycle.work.UnitOfWork;
import io.github.connectionlifecycle.work.WorkBoundaries;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What a message listener under test does with each delivery, as a bean: reads the id of
 * the database session it was given, and records the attempt (failed or not, the session,
 * the thread and the unit of work it ran in). A failure is rethrown to the container.
 */
public class JdbcDeliveries {

	private final JdbcTemplate jdbc;

	private final ObjectProvider<WorkBoundaries> workBoundaries;

	private final List<Attempt> attempts = new CopyOnWriteArrayList<>();

	public JdbcDeliveries(JdbcTemplate jdbc, ObjectProvider<WorkBoundaries> workBoundaries) {
		this.jdbc = jdbc;
		this.workBoundaries = workBoundaries;
	}

	/**
	 * Handles one delivery; fails on a payload that starts with {@code fail}.
	 * @param payload the message's payload
	 */
	public void handle(String payload) {
		WorkBoundaries boundaries = this.workBoundaries.getIfAvailable();
		UnitOfWork unit = (boundaries != null) ? boundaries.currentUnit() : null;
		String thread = Thread.currentThread().getName();
		try {
			Long sessionId = this.jdbc.queryForObject("SELECT CONNECTION_ID()", Long.class);
			if (payload.startsWith("fail")) {
				throw new IllegalStateException("listener failed on " + payload);
			}
			this.attempts.add(new Attempt(payload, sessionId, null, thread, unit));
		}
		catch (DataAccessException | IllegalStateException ex) {
			this.attempts.add(new Attempt(payload, null, ex, thread, unit));
			throw ex;
		}
	}

	public List<Attempt> attempts() {
		return List.copyOf(this.attempts);
	}

	public int failures() {
		return (int) this.attempts.stream().filter((attempt) -> attempt.failure() != null).count();
	}

	/**
	 * @param payload a payload
	 * @return how many times it was delivered
	 */
	public int attemptsAt(String payload) {
		return (int) this.attempts.stream().filter((attempt) -> attempt.payload().equals(payload)).count();
	}

	/**
	 * One delivery attempt.
	 * @param payload the message's payload
	 * @param sessionId the database session it used, {@code null} when it failed
	 * @param failure what it failed with
	 * @param thread the thread it ran on
	 * @param unit the unit of work it ran in
	 */
	public record Attempt(String payload, @Nullable Long sessionId, @Nullable Exception failure, String thread,
			@Nullable UnitOfWork unit) {
	}

}
