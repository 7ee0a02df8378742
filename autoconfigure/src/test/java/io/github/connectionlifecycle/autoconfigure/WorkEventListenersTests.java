package io.github.connectionlifecycle.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import io.github.connectionlifecycle.work.WorkBoundaries;
import io.github.connectionlifecycle.work.WorkFinishedEvent;
import io.github.connectionlifecycle.work.WorkStartedEvent;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The work events are published when, and only when, some application listener listens to
 * them.
 */
class WorkEventListenersTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ConnectionLifecycleAutoConfiguration.class));

	@Test
	void listenersOfOtherEventsDoNotCount() {
		this.contextRunner.withBean(OtherEventsListener.class)
			.run((context) -> assertThat(WorkEventListeners.anyIn(context.getSourceApplicationContext())).isFalse());
	}

	@Test
	void anEventListenerMethodGetsBothEvents() {
		this.contextRunner.withBean(AnnotatedListener.class).run((context) -> {
			assertThat(WorkEventListeners.anyIn(context.getSourceApplicationContext())).isTrue();
			context.getBean(WorkBoundaries.class).run("unit", () -> {
			});
			assertThat(context.getBean(AnnotatedListener.class).events).hasSize(2);
		});
	}

	@Test
	void aListenerBeanOfTheFinishedEventCounts() {
		this.contextRunner.withBean(FinishedListener.class)
			.run((context) -> assertThat(WorkEventListeners.anyIn(context.getSourceApplicationContext())).isTrue());
	}

	@Test
	void aLazyListenerBeanCountsBeforeItExists() {
		this.contextRunner.withBean(FinishedListener.class, FinishedListener::new, (definition) -> definition.setLazyInit(true))
			.run((context) -> assertThat(WorkEventListeners.anyIn(context.getSourceApplicationContext())).isTrue());
	}

	@Test
	void aListenerOfEveryEventCounts() {
		this.contextRunner.withBean(EveryEventListener.class)
			.run((context) -> assertThat(WorkEventListeners.anyIn(context.getSourceApplicationContext())).isTrue());
	}

	@Test
	void aUnitRunWhileTheContextStartsDoesNotSwitchTheEventsOff() {
		this.contextRunner.withBean(EarlyUnit.class).withBean(AnnotatedListener.class).run((context) -> {
			AnnotatedListener listener = context.getBean(AnnotatedListener.class);
			listener.events.clear();
			context.getBean(WorkBoundaries.class).run("after start-up", () -> {
			});
			assertThat(listener.events).hasSize(2);
		});
	}

	/** Runs a unit while the context is being refreshed, before event listener methods are registered. */
	static class EarlyUnit {

		EarlyUnit(WorkBoundaries boundaries) {
			boundaries.run("during start-up", () -> {
			});
		}

	}

	static class OtherEventsListener {

		@EventListener
		void on(ContextRefreshedEvent event) {
		}

		@EventListener
		void on(ApplicationReadyEvent event) {
		}

	}

	static class AnnotatedListener {

		final List<Object> events = new ArrayList<>();

		@EventListener
		void started(WorkStartedEvent event) {
			this.events.add(event);
		}

		@EventListener
		void finished(WorkFinishedEvent event) {
			this.events.add(event);
		}

	}

	static class FinishedListener implements ApplicationListener<WorkFinishedEvent> {

		@Override
		public void onApplicationEvent(WorkFinishedEvent event) {
		}

	}

	static class EveryEventListener implements ApplicationListener<ApplicationEvent> {

		@Override
		public void onApplicationEvent(ApplicationEvent event) {
		}

	}

}
