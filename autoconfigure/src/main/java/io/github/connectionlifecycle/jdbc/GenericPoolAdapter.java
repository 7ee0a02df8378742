package io.github.connectionlifecycle.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * For DataSources without a pool API the lifecycle knows: a held connection is retired by
 * closing the physical connection under the pool before returning it, which pools discard
 * on return or on the next borrow; idle connections cannot be reached.
 */
final class GenericPoolAdapter implements PoolAdapter {

	private static final Log logger = LogFactory.getLog(GenericPoolAdapter.class);

	private final String description;

	GenericPoolAdapter(String description) {
		this.description = description;
	}

	@Override
	public void retireHeld(Connection handle) throws SQLException {
		Connection physical = PhysicalConnections.physical(handle);
		try {
			if (physical != handle) {
				physical.close();
			}
		}
		catch (SQLException ex) {
			logger.debug("Closing a retired physical connection failed", ex);
		}
		handle.close();
	}

	@Override
	public boolean retireReturned(Connection returnedHandle) {
		return false;
	}

	@Override
	public boolean canRetireReturned() {
		return false;
	}

	@Override
	public int flushIdleIfNoneInUse() {
		return -1;
	}

	@Override
	public boolean validatesOnBorrow(long idleNanos) {
		return false;
	}

	@Override
	public List<String> settingsOutliving(Duration serverIdleTimeout) {
		return List.of();
	}

	@Override
	public String describe() {
		return this.description + " (no pool API known: connections are retired only when a unit of work "
				+ "returns them; idle ones cannot be flushed)";
	}

}
