package io.github.connectionlifecycle.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.connectionlifecycle.jdbc.ConnectionRetiredEvent;
import io.github.connectionlifecycle.jdbc.RetirementReason;

import org.springframework.context.ApplicationListener;

/**
 * Records every {@link ConnectionRetiredEvent} of an application context, as a bean.
 */
public class RetirementRecorder implements ApplicationListener<ConnectionRetiredEvent> {

	private final List<RetirementReason> reasons = new CopyOnWriteArrayList<>();

	private final List<String> dataSources = new CopyOnWriteArrayList<>();

	@Override
	public void onApplicationEvent(ConnectionRetiredEvent event) {
		this.reasons.add(event.getReason());
		this.dataSources.add(event.getDataSourceName());
	}

	public List<RetirementReason> reasons() {
		return this.reasons;
	}

	public List<String> dataSources() {
		return this.dataSources;
	}

}
