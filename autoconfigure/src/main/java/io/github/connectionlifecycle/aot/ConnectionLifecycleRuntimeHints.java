package io.github.connectionlifecycle.aot;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * The reflection the starter does itself, for a native image (registered in
 * {@code META-INF/spring/aot.factories}): the fields {@code ManagedConnection} makes
 * {@code VarHandle}s of, Spring AMQP's protected {@code getAdviceChain} that the RabbitMQ
 * entry point reads a container's advice with, and the private {@code interruptionPolicy}
 * field of Spring Batch's steps that the Batch entry point reads. Types of optional
 * libraries are registered only when present.
 * <p>
 * These hints do not make the starter work in a native image: the proxies it makes at run
 * time (a CGLIB subclass of each pool, class-based proxies of JMS listener container
 * factories and of Spring Cloud Stream customizers, JDK proxies with each bean's own
 * interfaces) cannot be defined there. The README says what does and does not work.
 */
public final class ConnectionLifecycleRuntimeHints implements RuntimeHintsRegistrar {

	static final TypeReference MANAGED_CONNECTION = TypeReference
		.of("io.github.connectionlifecycle.jdbc.interception.ManagedConnection");

	static final List<String> MANAGED_CONNECTION_VAR_HANDLE_FIELDS = List.of("lastHandle", "borrowed",
			"returnedAtNanos");

	static final String RABBIT_LISTENER_CONTAINER = "org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer";

	static final String GET_ADVICE_CHAIN = "getAdviceChain";

	static final List<String> BATCH_STEPS = List.of("org.springframework.batch.core.step.tasklet.TaskletStep",
			"org.springframework.batch.core.step.item.ChunkOrientedStep");

	static final String INTERRUPTION_POLICY = "interruptionPolicy";

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		ReflectionHints reflection = hints.reflection();
		reflection.registerType(MANAGED_CONNECTION,
				(type) -> MANAGED_CONNECTION_VAR_HANDLE_FIELDS.forEach(type::withField));
		reflection.registerTypeIfPresent(classLoader, RABBIT_LISTENER_CONTAINER,
				(type) -> type.withMethod(GET_ADVICE_CHAIN, List.of(), ExecutableMode.INVOKE));
		for (String step : BATCH_STEPS) {
			reflection.registerTypeIfPresent(classLoader, step, (type) -> type.withField(INTERRUPTION_POLICY));
		}
	}

}
