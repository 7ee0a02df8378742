package io.github.connectionlifecycle.work;

import java.util.Objects;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * Describes one unit of non-web work: what kind it is and a human-readable name such as
 * {@code orders-listener orders-0@42} or {@code reportJob.report}. Entry points may give
 * the name lazily ({@link #of(WorkKind, Object, Function)}): it is built only when a log,
 * an event listener or {@link #name()} asks for it, not on every delivery.
 */
public final class UnitOfWork {

	private final WorkKind kind;

	private final @Nullable Object source;

	private final @Nullable Function<Object, String> namer;

	private @Nullable String name;

	/**
	 * Creates a unit with a name known up front.
	 * @param kind the kind of work
	 * @param name a name for logs and events; never contains credentials
	 */
	public UnitOfWork(WorkKind kind, String name) {
		this.kind = Objects.requireNonNull(kind, "kind must not be null");
		this.name = Objects.requireNonNull(name, "name must not be null");
		this.source = null;
		this.namer = null;
	}

	@SuppressWarnings("unchecked")
	private <S> UnitOfWork(WorkKind kind, S source, Function<? super S, String> namer) {
		this.kind = Objects.requireNonNull(kind, "kind must not be null");
		this.source = Objects.requireNonNull(source, "source must not be null");
		this.namer = (Function<Object, String>) Objects.requireNonNull(namer, "namer must not be null");
	}

	/**
	 * Creates a unit whose name is made from what it works on when first asked for.
	 * @param kind the kind of work
	 * @param source what the unit works on, such as a Kafka record
	 * @param namer makes the name from the source; a stateless function, so that creating
	 * the unit allocates nothing more than the unit itself
	 * @param <S> the type of the source
	 * @return the unit
	 */
	public static <S> UnitOfWork of(WorkKind kind, S source, Function<? super S, String> namer) {
		return new UnitOfWork(kind, source, namer);
	}

	/**
	 * The kind of work.
	 * @return the kind
	 */
	public WorkKind kind() {
		return this.kind;
	}

	/**
	 * The unit's name for logs and events; never contains credentials.
	 * @return the name
	 */
	public String name() {
		String name = this.name;
		if (name == null) {
			name = Objects.requireNonNull(this.namer).apply(Objects.requireNonNull(this.source));
			this.name = name;
		}
		return name;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (this == other) || (other instanceof UnitOfWork unit && this.kind == unit.kind
				&& name().equals(unit.name()));
	}

	@Override
	public int hashCode() {
		return 31 * this.kind.hashCode() + name().hashCode();
	}

	@Override
	public String toString() {
		return this.kind + " " + name();
	}

}
