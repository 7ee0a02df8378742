package io.github.connectionlifecycle.jdbc.pool;

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
		closePhysicalThenReturn(handle);
	}

	/**
	 * Retires a held connection without the pool's help: closes the physical connection,
	 * then hands the handle back so the pool can discard it.
	 * @param handle a connection the caller holds
	 * @throws SQLException if handing back the handle failed
	 */
	static void closePhysicalThenReturn(Connection handle) throws SQLException {
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
		return this.description + ": no pool API known, so max-age, broken and dirty connections are retired when "
				+ "a unit of work returns them (by closing the physical connection), but idle connections cannot be "
				+ "flushed after an idle gap or a failover, nor refilled, and the pool's settings are not checked "
				+ "against the server's wait_timeout; set connection.health-checks=true unless the pool validates on "
				+ "borrow";
	}

}
