package io.github.connectionlifecycle.jdbc;

import org.springframework.context.ApplicationEvent;

/**
 * Published when the connection lifecycle retires a pooled connection, or flushes a pool's
 * idle connections. Carries no connection details beyond the DataSource bean name.
 */
public class ConnectionRetiredEvent extends ApplicationEvent {

	private final String dataSourceName;

	private final RetirementReason reason;

	private final int count;

	/**
	 * Creates an event.
	 * @param source the component that retired the connections
	 * @param dataSourceName the name of the DataSource bean whose pool held them
	 * @param reason why they were retired
	 * @param count how many connections were retired (a pool flush may retire several)
	 */
	public ConnectionRetiredEvent(Object source, String dataSourceName, RetirementReason reason, int count) {
		super(source);
		this.dataSourceName = dataSourceName;
		this.reason = reason;
		this.count = count;
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

	@Override
	public String toString() {
		return "ConnectionRetiredEvent[" + this.dataSourceName + ", " + this.reason + ", " + this.count + "]";
	}

}
