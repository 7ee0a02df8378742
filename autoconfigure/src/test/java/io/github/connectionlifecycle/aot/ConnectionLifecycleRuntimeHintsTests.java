package io.github.connectionlifecycle.aot;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hints name members that exist (a rename fails here, not in a native image) and are
 * found by Spring's own predicates for the reflection the starter does.
 */
class ConnectionLifecycleRuntimeHintsTests {

	private final ClassLoader classLoader = getClass().getClassLoader();

	private final RuntimeHints hints = registeredHints();

	@Test
	void registrarIsListedInAotFactories() {
		assertThat(SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories", this.classLoader)
			.load(RuntimeHintsRegistrar.class)).hasAtLeastOneElementOfType(ConnectionLifecycleRuntimeHints.class);
	}

	@Test
	void managedConnectionVarHandleFieldsAreAccessible() throws Exception {
		Class<?> managedConnection = ClassUtils.forName(ConnectionLifecycleRuntimeHints.MANAGED_CONNECTION.getName(),
				this.classLoader);
		for (String name : ConnectionLifecycleRuntimeHints.MANAGED_CONNECTION_VAR_HANDLE_FIELDS) {
			Field field = managedConnection.getDeclaredField(name);
			assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(field)).as(name).accepts(this.hints);
		}
	}

	@Test
	void rabbitAdviceChainGetterIsInvocable() throws Exception {
		Class<?> container = ClassUtils.forName(ConnectionLifecycleRuntimeHints.RABBIT_LISTENER_CONTAINER,
				this.classLoader);
		Method getAdviceChain = ReflectionUtils.findMethod(container, ConnectionLifecycleRuntimeHints.GET_ADVICE_CHAIN);
		assertThat(getAdviceChain).isNotNull();
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(getAdviceChain)).accepts(this.hints);
	}

	@Test
	void batchStepsInterruptionPolicyFieldsAreAccessible() throws Exception {
		for (String step : ConnectionLifecycleRuntimeHints.BATCH_STEPS) {
			Field field = ClassUtils.forName(step, this.classLoader)
				.getDeclaredField(ConnectionLifecycleRuntimeHints.INTERRUPTION_POLICY);
			assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(field)).as(step).accepts(this.hints);
		}
	}

	@Test
	void optionalLibrariesThatAreAbsentGetNoHints() {
		RuntimeHints withoutOptionalLibraries = new RuntimeHints();
		new ConnectionLifecycleRuntimeHints().registerHints(withoutOptionalLibraries,
				new OnlyStarterClassLoader(this.classLoader));
		assertThat(withoutOptionalLibraries.reflection().typeHints()).singleElement()
			.satisfies((hint) -> assertThat(hint.getType()).isEqualTo(ConnectionLifecycleRuntimeHints.MANAGED_CONNECTION));
	}

	private RuntimeHints registeredHints() {
		RuntimeHints registered = new RuntimeHints();
		new ConnectionLifecycleRuntimeHints().registerHints(registered, this.classLoader);
		return registered;
	}

	/** Hides Spring AMQP and Spring Batch, as in an application without them. */
	private static final class OnlyStarterClassLoader extends ClassLoader {

		OnlyStarterClassLoader(ClassLoader parent) {
			super(parent);
		}

		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			if (name.startsWith("org.springframework.amqp.") || name.startsWith("org.springframework.batch.")) {
				throw new ClassNotFoundException(name);
			}
			return super.loadClass(name, resolve);
		}

	}

}
