package io.github.connectionlifecycle.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.connectionlifecycle.work.WorkBoundaries;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the starter costs a unit of work that borrows a connection and runs one query, against
 * the same application with the starter switched off ({@code connection.enabled=false}, plain
 * HikariCP). The database is in-memory H2, so a query takes microseconds and the overhead shows
 * as large as it ever can: against a networked MySQL it is a smaller share. Run it single-threaded
 * and with {@code -t 8} (eight threads sharing the pool of ten connections).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class UnitOfWorkBenchmark {

	/** {@code false} is the baseline: the same application with the starter switched off. */
	@Param({ "false", "true" })
	public boolean starter;

	/**
	 * Whether the starter's Micrometer meters are on ({@code connection.metrics.enabled});
	 * a MeterRegistry is there either way.
	 */
	@Param({ "false", "true" })
	public boolean meters;

	private ConfigurableApplicationContext context;

	private DataSource dataSource;

	private WorkBoundaries boundaries;

	@Setup
	public void start() {
		this.context = new SpringApplicationBuilder(BenchmarkApplication.class).web(WebApplicationType.NONE)
			.properties("spring.datasource.url=jdbc:h2:mem:benchmark;DB_CLOSE_DELAY=-1", "spring.main.banner-mode=off",
					"logging.level.root=warn", "connection.enabled=" + this.starter, "connection.max-age=10m",
					"connection.metrics.enabled=" + this.meters, "management.metrics.use-global-registry=false")
			.run();
		this.dataSource = this.context.getBean(DataSource.class);
		this.boundaries = this.context.getBeanProvider(WorkBoundaries.class).getIfAvailable();
	}

	@TearDown
	public void stop() {
		this.context.close();
	}

	/** One unit of work (a Kafka delivery, a scheduled run) that runs one query. */
	@Benchmark
	public int unitWithOneQuery() throws Exception {
		return (this.boundaries != null) ? this.boundaries.call("benchmark", this::query) : query();
	}

	/** One query outside any unit of work: the cost of the tracked connection alone. */
	@Benchmark
	public int queryOutsideUnits() throws Exception {
		return query();
	}

	/** A borrow and return outside any unit of work, without a query: the interception alone. */
	@Benchmark
	public boolean borrowOutsideUnits() throws Exception {
		try (Connection connection = this.dataSource.getConnection()) {
			return connection.getAutoCommit();
		}
	}

	/** One unit of work that does not touch the database: the cost of the boundaries alone. */
	@Benchmark
	public int unitWithoutQueries() throws Exception {
		return (this.boundaries != null) ? this.boundaries.call("benchmark", () -> 1) : 1;
	}

	/** One unit of work that runs five queries, each on a connection borrowed and returned. */
	@Benchmark
	public int unitWithFiveQueries() throws Exception {
		return (this.boundaries != null) ? this.boundaries.call("benchmark", this::fiveQueries) : fiveQueries();
	}

	private int fiveQueries() throws SQLException {
		int sum = 0;
		for (int i = 0; i < 5; i++) {
			sum += query();
		}
		return sum;
	}

	private int query() throws SQLException {
		try (Connection connection = this.dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT 1");
				ResultSet result = statement.executeQuery()) {
			result.next();
			return result.getInt(1);
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class BenchmarkApplication {

	}

}
