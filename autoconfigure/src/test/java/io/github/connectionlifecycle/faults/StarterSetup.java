package io.github.connectionlifecycle.faults;

import java.util.List;

/**
 * The starter switched off, on with its defaults, or on with the properties recommended
 * for the fault at hand.
 */
enum StarterSetup {

	OFF("off"), ON("on"), RECOMMENDED("on*");

	private final String label;

	StarterSetup(String label) {
		this.label = label;
	}

	String label() {
		return this.label;
	}

	/** @return whether this setup differs from {@link #ON} for the fault */
	boolean appliesTo(Fault fault) {
		return this != RECOMMENDED || !fault.recommendedStarterProperties().isEmpty();
	}

	String[] properties(Fault fault) {
		List<String> properties = switch (this) {
			case OFF -> List.of("connection.enabled=false");
			case ON -> List.of();
			case RECOMMENDED -> fault.recommendedStarterProperties();
		};
		return properties.toArray(String[]::new);
	}

}
