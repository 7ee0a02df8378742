package io.github.connectionlifecycle.jdbc;

import java.time.Duration;
import java.util.List;

import org.springframework.context.ApplicationEvent;

/**
 * Published when the connection lifecycle retires a pooled connection, or flushes a pool's
 * idle connections. Carries no connection details beyond the DataSource bean name.
 */
public class ConnectionRetiredEvent extends ApplicationEvent {

	private final String dataSourceName;

	private final RetirementReason reason;

	private final int count;

	private final List<Duration> ages;

	/**
	 * Creates an event.
	 * @param source the component that retired the connections
	 * @param dataSourceName the name of the DataSource bean whose pool held them
	 * @param reason why they were retired
	 * @param count how many connections were retired (a pool flush may retire several)
	 */
	public ConnectionRetiredEvent(Object source, String dataSourceName, RetirementReason reason, int count) {
		this(source, dataSourceName, reason, count, List.of());
	}

	/**
	 * Creates an event that says how old the retired connections were.
	 * @param source the component that retired the connections
	 * @param dataSourceName the name of the DataSource bean whose pool held them
	 * @param reason why they were retired
	 * @param count how many connections were retired (a pool flush may retire several)
	 * @param ages the ages of those of them the lifecycle had seen, from when they were opened
	 */
	public ConnectionRetiredEvent(Object source, String dataSourceName, RetirementReason reason, int count,
			List<Duration> ages) {
		super(source);
		this.dataSourceName = dataSourceName;
		this.reason = reason;
		this.count = count;
		this.ages = List.copyOf(ages);
	}

	public String getDataSourceName() {
		return this.dataSourceName;
	}

	public RetirementReason getReason() {
		return this.reason;
	}

	public int getCount() {
		return this.count;
	}

	/**
	 * How old the retired connections were, counted from when they were opened. A pool flush
	 * may also close connections the lifecycle never saw, so there may be fewer ages than
	 * {@link #getCount() retired connections}.
	 * @return the ages, in no particular order
	 */
	public List<Duration> getAges() {
		return this.ages;
	}

	@Override
	public String toString() {
		return "ConnectionRetiredEvent[" + this.dataSourceName + ", " + this.reason + ", " + this.count + "]";
	}

}
