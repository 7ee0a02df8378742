package io.github.connectionlifecycle.jdbc.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Retires the one shared connection of a {@link SingleConnectionDataSource} with
 * {@link SingleConnectionDataSource#resetConnection()}, so the next borrow opens a new one;
 * never while another borrower holds it (threads may share it), in which case the reset
 * waits for the last one to give it back. Handles are given back the way Spring's
 * {@link DataSourceUtils} does: without {@code suppressClose} the handle is the physical
 * connection, which must stay open.
 */
final class SingleConnectionPoolAdapter implements PoolAdapter {

	private final SingleConnectionDataSource dataSource;

	private final Object lock = new Object();

	private int holders;

	private boolean open;

	private boolean resetWhenFree;

	SingleConnectionPoolAdapter(SingleConnectionDataSource dataSource) {
		this.dataSource = dataSource;
	}

	@Override
	public void borrowed(Connection handle) {
		synchronized (this.lock) {
			this.holders++;
			this.open = true;
		}
	}

	@Override
	public void release(Connection handle) throws SQLException {
		// The driver closes a connection that failed; without a reset the data source would
		// refuse every later borrow.
		boolean closedUnderneath = isClosed(handle);
		synchronized (this.lock) {
			this.holders--;
			if (closedUnderneath) {
				this.resetWhenFree = true;
			}
			resetIfFree();
		}
		DataSourceUtils.doCloseConnection(handle, this.dataSource);
	}

	@Override
	public void retireHeld(Connection handle) {
		synchronized (this.lock) {
			this.holders--;
			this.resetWhenFree = true;
			resetIfFree();
		}
	}

	@Override
	public boolean retireReturned(Connection returnedHandle) {
		synchronized (this.lock) {
			if (this.holders > 0) {
				return false;
			}
			this.resetWhenFree = true;
			resetIfFree();
			return true;
		}
	}

	@Override
	public boolean canRetireReturned() {
		return true;
	}

	@Override
	public boolean canRefill() {
		return true;
	}

	/** Opens the shared connection again once a retirement reset it and no one holds it. */
	@Override
	public int refillIdle(Consumer<Connection> opened) throws SQLException {
		synchronized (this.lock) {
			if (this.holders > 0) {
				return -1;
			}
			if (this.open) {
				return 0;
			}
		}
		// A retirement between the opening and borrowed() resets it: the next borrower opens one.
		Connection connection = this.dataSource.getConnection();
		borrowed(connection);
		try {
			opened.accept(connection);
		}
		finally {
			release(connection);
		}
		return 1;
	}

	@Override
	public int idleConnections() {
		synchronized (this.lock) {
			return (this.open && this.holders == 0) ? 1 : 0;
		}
	}

	@Override
	public int flushIdleIfNoneInUse() {
		synchronized (this.lock) {
			if (this.holders > 0) {
				return -1;
			}
			int flushed = this.open ? 1 : 0;
			this.resetWhenFree = true;
			resetIfFree();
			return flushed;
		}
	}

	private void resetIfFree() {
		if (this.resetWhenFree && this.holders <= 0) {
			this.dataSource.resetConnection();
			this.holders = 0;
			this.open = false;
			this.resetWhenFree = false;
		}
	}

	@Override
	public boolean validatesOnBorrow(long idleNanos) {
		return false;
	}

	@Override
	public List<String> settingsOutliving(Duration serverIdleTimeout) {
		return List.of("SingleConnectionDataSource keeps its one connection open indefinitely and never validates it "
				+ "(borrow from it inside units of work only, or use a pool such as HikariCP)");
	}

	@Override
	public String describe() {
		return "SingleConnectionDataSource: the shared connection is reset when retired, once no borrower holds it, "
				+ "and opened again in the background";
	}

	private static boolean isClosed(Connection handle) {
		try {
			return PhysicalConnections.physical(handle).isClosed();
		}
		catch (SQLException | RuntimeException ex) {
			// Cannot tell: reset it, rather than hand a broken connection to the next borrower.
			return true;
		}
	}

}
