package io.github.connectionlifecycle.testsupport;

import java.time.Duration;

import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.testsupport.JdbcDeliveries.Attempt;

import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The database faults every message entry point is proven against, each run through a
 * {@link JdbcDeliveries} bean that the listener under test hands every delivery to. Deliveries
 * are sent one at a time: each is sent once the one before has been handled. Listeners are
 * configured so that a failed delivery is not redelivered: each delivery is one attempt.
 */
public final class DeliveryScenarios {

	/** How many deliveries follow a fault. */
	public static final int DELIVERIES = 5;

	private static final Duration IDLE_GAP = Duration.ofSeconds(EmbeddedMariaDb.WAIT_TIMEOUT_SECONDS + 1);

	/** Keeps the server from closing idle sessions: only the fault under test ends them. */
	private static final String LONG_SERVER_IDLE_TIMEOUT = "&sessionVariables=wait_timeout=600";

	private DeliveryScenarios() {
	}

	/**
	 * Sends one message with a payload to the listener under test.
	 */
	@FunctionalInterface
	public interface Sender {

		void send(ApplicationContext context, String payload) throws Exception;

	}

	/**
	 * A fresh database behind Boot's HikariCP, on the server with {@code wait_timeout=2}.
	 * @param name a readable prefix for the database name
	 * @return Boot properties
	 */
	public static String[] hikari(String name) {
		return new String[] { "spring.datasource.url=" + EmbeddedMariaDb.createDatabase(name),
				"spring.datasource.username=" + EmbeddedMariaDb.username(),
				"spring.datasource.password=" + EmbeddedMariaDb.password() };
	}

	/**
	 * A fresh database behind Tomcat JDBC as Boot configures it (validation on borrow), but
	 * trusting a validated connection for a minute rather than 3 s, so that a loaded machine
	 * cannot make it validate the killed connections again during the test; sessions are not
	 * closed by the server.
	 * @param name a readable prefix for the database name
	 * @return Boot properties
	 */
	public static String[] tomcatTrustingValidatedConnections(String name) {
		return new String[] {
				"spring.datasource.url=" + EmbeddedMariaDb.createDatabase(name) + LONG_SERVER_IDLE_TIMEOUT,
				"spring.datasource.username=" + EmbeddedMariaDb.username(),
				"spring.datasource.password=" + EmbeddedMariaDb.password(),
				"spring.datasource.type=org.apache.tomcat.jdbc.pool.DataSource",
				"spring.datasource.tomcat.validation-interval=60000" };
	}

	/**
	 * After a {@code KILL} of every session, on a pool that trusts recently validated
	 * connections, at most the first delivery attempt fails, its unit ends with the failure
	 * and the dead connection's siblings are retired; the last delivery succeeds.
	 */
	public static void killFailsAtMostTheFirstUnit(ApplicationContext context, Sender sender) throws Exception {
		JdbcDeliveries deliveries = deliverAfterKill(context, sender);
		assertThat(deliveries.failures()).isLessThanOrEqualTo(1);
		assertThat(deliveries.attempts().get(deliveries.attempts().size() - 1).failure()).isNull();
		assertThat(context.getBean(RetirementRecorder.class).reasons()).contains(RetirementReason.BROKEN,
				RetirementReason.SIBLING_BROKEN);
		// Each attempt was a unit, and the one that met the dead connection ended with it.
		assertThat(context.getBean(RecordedWorkEvents.class).finished()).hasSameSizeAs(deliveries.attempts())
			.filteredOn((finished) -> finished.getFailure() != null)
			.hasSize(deliveries.failures());
	}

	/**
	 * After a {@code KILL} of every session, with {@code connection.health-checks: true}, no
	 * delivery fails.
	 */
	public static void killFailsNoUnitWithHealthChecks(ApplicationContext context, Sender sender) throws Exception {
		assertThat(deliverAfterKill(context, sender).failures()).isZero();
	}

	/**
	 * With {@code connection.max-age: 0}, every delivery gets a session no earlier one used.
	 */
	public static void everyUnitGetsANewSession(ApplicationContext context, Sender sender) throws Exception {
		assertThat(deliverBackToBack(context, sender).attempts()).extracting(Attempt::sessionId)
			.doesNotContainNull()
			.doesNotHaveDuplicates()
			.hasSize(DELIVERIES);
	}

	/**
	 * Deliveries after idle gaps longer than the server's {@code wait_timeout} do not fail
	 * (the caller checks the pool's warnings in the output).
	 */
	public static void idleGapsFailNothing(ApplicationContext context, Sender sender) throws Exception {
		assertThat(deliverAfterIdleGaps(context, sender, 2).failures()).isZero();
	}

	/**
	 * One delivery to open the pool, a {@code KILL} of every session of the database, then
	 * {@link #DELIVERIES} deliveries back to back.
	 * @return what the listener saw
	 */
	private static JdbcDeliveries deliverAfterKill(ApplicationContext context, Sender sender) throws Exception {
		deliver(context, sender, "warm-up");
		String url = context.getEnvironment().getRequiredProperty("spring.datasource.url");
		await().atMost(Duration.ofSeconds(20)).until(() -> EmbeddedMariaDb.killSessions(url) == 0);
		return deliverBackToBack(context, sender);
	}

	/**
	 * {@link #DELIVERIES} deliveries back to back.
	 * @return what the listener saw
	 */
	private static JdbcDeliveries deliverBackToBack(ApplicationContext context, Sender sender) throws Exception {
		for (int i = 1; i <= DELIVERIES; i++) {
			deliver(context, sender, "delivery-" + i);
		}
		return context.getBean(JdbcDeliveries.class);
	}

	/**
	 * {@code count} deliveries, each after an idle gap longer than the server's
	 * {@code wait_timeout}.
	 * @return what the listener saw
	 */
	private static JdbcDeliveries deliverAfterIdleGaps(ApplicationContext context, Sender sender, int count)
			throws Exception {
		for (int i = 1; i <= count; i++) {
			// The idle gap is the scenario: the server closes the pool's connections meanwhile.
			Thread.sleep(IDLE_GAP.toMillis());
			deliver(context, sender, "after-gap-" + i);
		}
		return context.getBean(JdbcDeliveries.class);
	}

	/**
	 * Sends a payload and waits until the listener has handled it.
	 */
	private static void deliver(ApplicationContext context, Sender sender, String payload) throws Exception {
		JdbcDeliveries deliveries = context.getBean(JdbcDeliveries.class);
		sender.send(context, payload);
		await().atMost(Duration.ofSeconds(60)).until(() -> deliveries.attemptsAt(payload) > 0);
	}

}
