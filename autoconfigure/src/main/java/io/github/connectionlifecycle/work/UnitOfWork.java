package io.github.connectionlifecycle.work;

import java.util.Objects;

/**
 * Describes one unit of non-web work: what kind it is and a human-readable name such as
 * {@code orders-listener orders-0@42} or {@code reportJob.report}.
 *
 * @param kind the kind of work
 * @param name a name for logs and events; never contains credentials
 */
public record UnitOfWork(WorkKind kind, String name) {

	public UnitOfWork {
		Objects.requireNonNull(kind, "kind must not be null");
		Objects.requireNonNull(name, "name must not be null");
	}

	@Override
	public String toString() {
		return this.kind + " " + this.name;
	}

}
