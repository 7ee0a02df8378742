package io.github.connectionlifecycle.jdbc.interception;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.connectionlifecycle.jdbc.interception.KernelTcpTable.SocketKey;
import io.github.connectionlifecycle.jdbc.interception.KernelTcpTable.SocketState;
import io.github.connectionlifecycle.jdbc.pool.PhysicalConnections;
import io.github.connectionlifecycle.jdbc.pool.PoolAdapter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The database server's idle timeout for the connections of one DataSource, read once from
 * a pooled connection ({@code @@session.wait_timeout} on MySQL and MariaDB,
 * {@code idle_session_timeout} on PostgreSQL 14 and later; other databases have none to
 * read), and, from the same connection, whether the operating system shows the pool's
 * sockets to the liveness check. When the server cannot be reached, the read is retried at
 * most every 30 s.
 * <p>
 * PostgreSQL's {@code idle_in_transaction_session_timeout} is read too, but only shown: it
 * ends sessions idle inside a transaction, which pooled connections never are; a unit that
 * holds a transaction open that long loses its connection with SQLState 25P03, which
 * {@link ConnectionErrors} counts as broken.
 */
final class ServerIdleTimeout {

	private static final Log logger = LogFactory.getLog(ServerIdleTimeout.class);

	private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(30);

	private static final String MYSQL_SETTING = "wait_timeout";

	private static final String POSTGRES_SETTING = "idle_session_timeout";

	private static final String POSTGRES_IN_TRANSACTION_SETTING = "idle_in_transaction_session_timeout";

	private static final String POSTGRES_QUERY = "SELECT name, setting FROM pg_settings WHERE name IN ('"
			+ POSTGRES_SETTING + "', '" + POSTGRES_IN_TRANSACTION_SETTING + "')";

	private final String beanName;

	private final DataSource dataSource;

	private final PoolAdapter pool;

	private final boolean probeSockets;

	private volatile boolean known;

	private volatile SocketVisibility socketVisibility = SocketVisibility.NOT_PROBED;

	private volatile @Nullable Duration timeout;

	private volatile int networkTimeoutMillis = -1;

	private volatile long lastAttemptNanos;

	private volatile boolean attempted;

	/** Where the timeout came from, or why there is none. */
	private volatile String source = "not read yet";

	/** The server's name for its idle timeout, for messages. */
	private volatile String setting = MYSQL_SETTING;

	ServerIdleTimeout(String beanName, DataSource dataSource, PoolAdapter pool, boolean probeSockets) {
		this.beanName = beanName;
		this.dataSource = dataSource;
		this.pool = pool;
		this.probeSockets = probeSockets;
	}

	/**
	 * Where the timeout came from, or why there is none, for the Actuator endpoint.
	 * @return a short description; never a URL or credentials
	 */
	String source() {
		return this.source;
	}

	/**
	 * The server's name for its idle timeout, as its users know it from their server
	 * configuration.
	 * @return {@code wait_timeout} or {@code idle_session_timeout}
	 */
	String setting() {
		return this.setting;
	}

	boolean isKnown() {
		return this.known;
	}

	@Nullable Duration get() {
		return this.timeout;
	}

	/**
	 * The driver's network (socket read) timeout of a pooled connection, as read with the
	 * server's idle timeout.
	 * @return milliseconds, 0 for none, -1 when not read yet or not supported
	 */
	int networkTimeoutMillis() {
		return this.networkTimeoutMillis;
	}

	/**
	 * Whether the operating system shows the sockets of this pool's connections, as found on
	 * the connection the timeout was read from.
	 * @return what was found
	 */
	SocketVisibility socketVisibility() {
		return this.socketVisibility;
	}

	/**
	 * Whether a read is due: not known yet, and not tried within the last 30 s.
	 * @return {@code true} when {@link #read(Connection)} would read
	 */
	boolean isDue() {
		return !this.known && (!this.attempted || System.nanoTime() - this.lastAttemptNanos >= RETRY_NANOS);
	}

	/**
	 * Reads the timeout unless it is known or was tried within the last 30 s.
	 * @param borrowed a connection just borrowed from the pool, to read it from before
	 * anyone uses it (the pool has just opened or validated it), or {@code null} to borrow one
	 * @return whether this call read it
	 */
	synchronized boolean read(@Nullable Connection borrowed) {
		if (!isDue()) {
			return false;
		}
		this.attempted = true;
		this.lastAttemptNanos = System.nanoTime();
		try {
			if (borrowed != null) {
				readFrom(borrowed);
				if (!borrowed.getAutoCommit()) {
					// The borrower gets the connection as the pool gave it: no transaction of ours.
					borrowed.rollback();
				}
			}
			else {
				readThroughPool();
			}
			this.known = true;
			if (logger.isDebugEnabled()) {
				logger.debug("DataSource '" + this.beanName + "': server idle timeout " + this.timeout);
			}
			return true;
		}
		catch (SQLException | RuntimeException ex) {
			this.source = "could not be read yet (" + ex.getClass().getSimpleName() + "); retried every "
					+ TimeUnit.NANOSECONDS.toSeconds(RETRY_NANOS) + " s";
			logger.warn("DataSource '" + this.beanName + "': could not read the server's idle timeout ("
					+ ex.getMessage() + "); connections are retired by age only until it is read");
			return false;
		}
	}

	private void readThroughPool() throws SQLException {
		// Given back through the pool adapter: a shared connection must not be closed.
		Connection connection = this.dataSource.getConnection();
		this.pool.borrowed(connection);
		try {
			readFrom(connection);
		}
		finally {
			this.pool.release(connection);
		}
	}

	private void readFrom(Connection connection) throws SQLException {
		this.timeout = query(connection);
		this.networkTimeoutMillis = networkTimeout(connection);
		if (this.probeSockets) {
			this.socketVisibility = probeSocket(connection);
		}
	}

	/** The connection just answered a query: its socket must be open in the kernel's table. */
	private SocketVisibility probeSocket(Connection connection) {
		if (!KernelTcpTable.SYSTEM.isReadable()) {
			return SocketVisibility.NO_KERNEL_TABLE;
		}
		SocketKey key = SocketKey.of(PhysicalConnections.socket(this.pool.physicalConnection(connection)));
		if (key == null) {
			return SocketVisibility.NO_DRIVER_SOCKET;
		}
		return (KernelTcpTable.SYSTEM.stateOf(key) == SocketState.OPEN) ? SocketVisibility.VISIBLE
				: SocketVisibility.NOT_IN_KERNEL_TABLE;
	}

	private static int networkTimeout(Connection connection) {
		try {
			return connection.getNetworkTimeout();
		}
		catch (SQLException | UnsupportedOperationException | AbstractMethodError ex) {
			return -1;
		}
	}

	private @Nullable Duration query(Connection connection) throws SQLException {
		String productName = connection.getMetaData().getDatabaseProductName();
		String product = productName.toLowerCase(Locale.ROOT);
		if (product.contains("mysql") || product.contains("mariadb")) {
			return queryMySql(connection);
		}
		if (product.contains("postgresql")) {
			return queryPostgres(connection);
		}
		this.source = "none: " + productName + " has no idle timeout to read";
		return null;
	}

	private @Nullable Duration queryMySql(Connection connection) throws SQLException {
		this.setting = MYSQL_SETTING;
		this.source = "SELECT @@session.wait_timeout";
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT @@session.wait_timeout")) {
			return result.next() ? Duration.ofSeconds(result.getLong(1)) : null;
		}
	}

	private @Nullable Duration queryPostgres(Connection connection) throws SQLException {
		this.setting = POSTGRES_SETTING;
		Map<String, Long> millis = new HashMap<>();
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery(POSTGRES_QUERY)) {
			while (result.next()) {
				// Both are integers in milliseconds; 0 switches them off.
				millis.put(result.getString(1), Long.parseLong(result.getString(2)));
			}
		}
		long inTransaction = millis.getOrDefault(POSTGRES_IN_TRANSACTION_SETTING, 0L);
		String inTransactionNote = (inTransaction > 0) ? "; " + POSTGRES_IN_TRANSACTION_SETTING + " "
				+ Duration.ofMillis(inTransaction) + " ends units idle that long inside a transaction" : "";
		Long idleSession = millis.get(POSTGRES_SETTING);
		if (idleSession == null) {
			this.source = "none: PostgreSQL before 14 has no " + POSTGRES_SETTING + inTransactionNote;
			return null;
		}
		if (idleSession == 0) {
			this.source = "none: " + POSTGRES_SETTING + " is 0 (off), from pg_settings" + inTransactionNote;
			return null;
		}
		this.source = POSTGRES_SETTING + " from pg_settings" + inTransactionNote;
		return Duration.ofMillis(idleSession);
	}

	/** Whether the liveness check can see a pool's sockets, and if not, why. */
	enum SocketVisibility {

		NOT_PROBED(""),

		VISIBLE(""),

		NO_KERNEL_TABLE("the operating system has no /proc/self/net/tcp table (Linux only)"),

		NO_DRIVER_SOCKET("the JDBC driver does not expose its socket (mysql-connector-j does, MariaDB Connector/J "
				+ "does not)"),

		NOT_IN_KERNEL_TABLE("the driver's socket is not a TCP connection of this network namespace "
				+ "(a Unix socket, or a socket factory that tunnels)");

		private final String reason;

		SocketVisibility(String reason) {
			this.reason = reason;
		}

		String reason() {
			return this.reason;
		}

	}

}
