package io.github.connectionlifecycle.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.github.connectionlifecycle.work.WorkBoundaries;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * Runs blocks as units of work the way an entry point does, or plainly when the starter is
 * off, and counts the ones that fail.
 */
public final class Units {

	private static final Log logger = LogFactory.getLog(Units.class);

	private final @Nullable WorkBoundaries boundaries;

	private final AtomicInteger failures = new AtomicInteger();

	public Units(ApplicationContext context) {
		this.boundaries = context.getBeanProvider(WorkBoundaries.class).getIfAvailable();
	}

	/**
	 * Runs one unit.
	 * @param name the unit's name
	 * @param work what it does
	 * @return whether it succeeded
	 */
	public boolean run(String name, Runnable work) {
		try {
			if (this.boundaries != null) {
				this.boundaries.run(name, work);
			}
			else {
				work.run();
			}
			return true;
		}
		catch (RuntimeException ex) {
			this.failures.incrementAndGet();
			logger.info("Unit " + name + " failed: " + ex);
			return false;
		}
	}

	/**
	 * Runs one unit and measures it.
	 * @return how long it took, failed or not
	 */
	public Duration timed(String name, Runnable work) {
		long start = System.nanoTime();
		run(name, work);
		return Duration.ofNanos(System.nanoTime() - start);
	}

	public int failures() {
		return this.failures.get();
	}

	/**
	 * Borrows a number of connections at once in one unit, runs a query on each and gives
	 * them back, so that the lifecycle knows every connection of a pool that size.
	 * @param context the application, with its {@link WorkBoundaries}
	 * @param dataSource the pool
	 * @param count how many connections
	 */
	public static void useConnectionsAtOnce(ApplicationContext context, DataSource dataSource, int count) {
		context.getBean(WorkBoundaries.class).run("warm-up", () -> {
			List<Connection> held = new ArrayList<>();
			try {
				for (int i = 0; i < count; i++) {
					Connection connection = DataSourceUtils.getConnection(dataSource);
					held.add(connection);
					Sql.queryLong(connection, "SELECT 1", 1);
				}
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
			finally {
				held.forEach((connection) -> DataSourceUtils.releaseConnection(connection, dataSource));
			}
		});
	}

}
