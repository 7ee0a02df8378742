package io.github.connectionlifecycle.jdbc.interception;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.jdbc.pool.SessionSetting;
import org.jspecify.annotations.Nullable;

/**
 * A read-only view of one pool under the lifecycle, for meters and the Actuator endpoint.
 * Every value is read when asked for. Nothing here carries a JDBC URL or credentials.
 */
public final class ManagedDataSourceInfo {

	private final ManagedDataSource dataSource;

	ManagedDataSourceInfo(ManagedDataSource dataSource) {
		this.dataSource = dataSource;
	}

	/**
	 * The DataSource bean's name; {@code router[key]} for a target of a routing DataSource.
	 * @return the name
	 */
	public String getName() {
		return this.dataSource.name();
	}

	/**
	 * What the pool adapter can do, as the start-up log says it.
	 * @return the description
	 */
	public String getPoolDescription() {
		return this.dataSource.pool().describe();
	}

	/**
	 * The class of the pool adapter.
	 * @return the adapter's class name
	 */
	public String getAdapter() {
		return this.dataSource.pool().getClass().getName();
	}

	/**
	 * Whether a connection that was returned to the pool can be retired while it sits idle
	 * there; otherwise it is retired when it is next borrowed by a unit of work.
	 * @return whether the adapter retires returned connections
	 */
	public boolean canRetireReturned() {
		return this.dataSource.pool().canRetireReturned();
	}

	/**
	 * The session settings the pool restores itself when a connection is returned; the
	 * lifecycle tracks changes to the others.
	 * @return the settings the pool restores
	 */
	public Set<SessionSetting> getRestoredOnReturn() {
		Set<SessionSetting> restored = EnumSet.noneOf(SessionSetting.class);
		for (SessionSetting setting : SessionSetting.values()) {
			if (this.dataSource.restoresOnReturn(setting)) {
				restored.add(setting);
			}
		}
		return restored;
	}

	/**
	 * The server's idle timeout ({@code wait_timeout}) as read from a pooled connection.
	 * @return the timeout, or {@code null} when unknown or the database has none
	 */
	public @Nullable Duration getServerIdleTimeout() {
		return this.dataSource.serverIdleTimeout().get();
	}

	/**
	 * Where the server's idle timeout came from, or why there is none.
	 * @return a short description
	 */
	public String getServerIdleTimeoutSource() {
		return this.dataSource.serverIdleTimeout().source();
	}

	/**
	 * The driver's socket read timeout of a pooled connection.
	 * @return milliseconds, 0 for none, -1 when not read or not supported
	 */
	public int getNetworkTimeoutMillis() {
		return this.dataSource.serverIdleTimeout().networkTimeoutMillis();
	}

	/**
	 * The longest a connection may have been idle and still be handed to a unit of work:
	 * the server's idle timeout less a margin, or {@code connection.max-idle} if shorter.
	 * @return the limit, or {@code null} when there is none
	 */
	public @Nullable Duration getIdleLimit() {
		long nanos = this.dataSource.idleLimitNanos();
		return (nanos != Long.MAX_VALUE) ? Duration.ofNanos(nanos) : null;
	}

	/**
	 * The {@code connection.max-age} in force.
	 * @return the max age, or {@code null} when unset
	 */
	public @Nullable Duration getMaxAge() {
		return this.dataSource.policy().maxAge();
	}

	/**
	 * How many connections were retired for a reason since start-up.
	 * @param reason the reason
	 * @return the count
	 */
	public long getRetirements(RetirementReason reason) {
		return this.dataSource.retirementCount(reason);
	}

	/**
	 * The warnings logged about this pool's settings (the {@code server-timeout-check}, the
	 * socket timeout check).
	 * @return the warnings, in the order logged
	 */
	public List<String> getFindings() {
		return this.dataSource.findings();
	}

	/**
	 * The physical connections the lifecycle tracks now, summed up.
	 * @return count, oldest age and longest idle time
	 */
	public TrackedConnections getTrackedConnections() {
		long now = System.nanoTime();
		int count = 0;
		long oldest = 0;
		long longestIdle = 0;
		for (ManagedConnection connection : this.dataSource.trackedConnections()) {
			count++;
			oldest = Math.max(oldest, connection.ageNanos(now));
			if (!connection.isBorrowed()) {
				longestIdle = Math.max(longestIdle, connection.idleNanos(now));
			}
		}
		return new TrackedConnections(count, Duration.ofNanos(oldest), Duration.ofNanos(longestIdle));
	}

	/**
	 * The physical connections the lifecycle tracks for a pool.
	 *
	 * @param count how many
	 * @param oldest the age of the oldest, from when it was opened; zero when none
	 * @param longestIdle the longest a returned one has sat idle; zero when none
	 */
	public record TrackedConnections(int count, Duration oldest, Duration longestIdle) {
	}

}
