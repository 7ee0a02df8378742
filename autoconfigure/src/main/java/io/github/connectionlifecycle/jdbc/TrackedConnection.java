package io.github.connectionlifecycle.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * The connection a borrower gets: the pool's handle, observed for connection-level errors
 * and session state changes, and returned or retired on {@code close()}.
 */
final class TrackedConnection extends JdbcWrapperHandler {

	/** JDBC session setters whose effect outlives the borrow unless undone. */
	private static final Map<String, String> SESSION_SETTERS = Map.of("setAutoCommit", "getAutoCommit",
			"setReadOnly", "isReadOnly", "setTransactionIsolation", "getTransactionIsolation", "setCatalog",
			"getCatalog", "setSchema", "getSchema", "setHoldability", "getHoldability");

	private static final Map<String, Method> SESSION_GETTERS = sessionGetters();

	private final Connection handle;

	private final PooledConnection pooled;

	private final TrackedDataSource dataSource;

	private final ConnectionLifecycleCleanup cleanup;

	private final Map<String, @Nullable Object> sessionSettingsAtBorrow = new HashMap<>();

	private boolean workSinceCommit;

	private boolean sessionChangedBySql;

	private boolean broken;

	private boolean closed;

	private TrackedConnection(Connection handle, PooledConnection pooled, TrackedDataSource dataSource,
			ConnectionLifecycleCleanup cleanup) {
		super(handle);
		this.handle = handle;
		this.pooled = pooled;
		this.dataSource = dataSource;
		this.cleanup = cleanup;
	}

	static Connection wrap(Connection handle, PooledConnection pooled, TrackedDataSource dataSource,
			ConnectionLifecycleCleanup cleanup) {
		return (Connection) Proxy.newProxyInstance(TrackedConnection.class.getClassLoader(),
				new Class<?>[] { Connection.class }, new TrackedConnection(handle, pooled, dataSource, cleanup));
	}

	@Override
	@Nullable Object invokeJdbc(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		return switch (method.getName()) {
			case "close" -> {
				close();
				yield null;
			}
			case "isClosed" -> this.closed || this.handle.isClosed();
			default -> invokeOnHandle(proxy, method, args);
		};
	}

	private @Nullable Object invokeOnHandle(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		String name = method.getName();
		String getter = SESSION_SETTERS.get(name);
		if (getter != null && !this.sessionSettingsAtBorrow.containsKey(getter)) {
			this.sessionSettingsAtBorrow.put(getter, readSetting(getter));
		}
		if (args != null && args.length > 0 && args[0] instanceof String sql
				&& (name.startsWith("prepare") || name.equals("nativeSQL"))) {
			observeSql(sql);
		}
		Object result = invokeObserved(this.handle, method, args);
		switch (name) {
			case "commit", "rollback" -> this.workSinceCommit = false;
			case "setAutoCommit" -> this.workSinceCommit = false;
			default -> {
			}
		}
		if (result instanceof Statement statement) {
			Class<?> type = (result instanceof CallableStatement) ? CallableStatement.class
					: (result instanceof PreparedStatement) ? PreparedStatement.class : Statement.class;
			return TrackedStatement.wrap(statement, type, (Connection) proxy, this);
		}
		return result;
	}

	/**
	 * Invokes a JDBC method, noting connection-level errors on the way out.
	 */
	@Nullable Object invokeObserved(Object target, Method method, @Nullable Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			Throwable failure = ex.getTargetException();
			if (ConnectionErrors.isConnectionLevel(failure)) {
				this.broken = true;
			}
			throw failure;
		}
	}

	/** A statement ran SQL: it may open a transaction or change session state. */
	void observeSql(String sql) {
		if (!this.sessionChangedBySql && changesSessionState(sql)) {
			this.sessionChangedBySql = true;
		}
	}

	void statementExecuted() {
		this.workSinceCommit = true;
	}

	private void close() throws SQLException {
		if (this.closed) {
			return;
		}
		this.closed = true;
		UnitConnections unit = this.cleanup.currentUnit();
		RetirementReason reason = (unit != null) ? reasonToRetireOnReturn() : null;
		if (reason == null) {
			this.dataSource.pool().release(this.handle);
			this.dataSource.returned(this.pooled);
			return;
		}
		if (reason == RetirementReason.BROKEN) {
			unit.brokenConnectionSeen(this.dataSource);
		}
		this.dataSource.retireHeld(this.handle, this.pooled, reason);
	}

	private @Nullable RetirementReason reasonToRetireOnReturn() {
		if (this.broken) {
			return RetirementReason.BROKEN;
		}
		if (isDirty()) {
			return RetirementReason.DIRTY;
		}
		CleanupPolicy policy = this.dataSource.policy();
		if (policy.isTooOld(this.pooled.ageMillis(System.currentTimeMillis()))) {
			return RetirementReason.MAX_AGE;
		}
		if (policy.closesAfterEveryUnit() && !this.dataSource.pool().canRetireReturned()) {
			// The pool cannot retire it once returned: retire it now instead of at the end.
			return RetirementReason.MAX_AGE;
		}
		return null;
	}

	private boolean isDirty() {
		if (this.sessionChangedBySql) {
			return true;
		}
		try {
			if (this.workSinceCommit && !isAutoCommit()) {
				return true;
			}
			for (Map.Entry<String, @Nullable Object> setting : this.sessionSettingsAtBorrow.entrySet()) {
				if (!Objects.equals(setting.getValue(), readSetting(setting.getKey()))) {
					return true;
				}
			}
			return false;
		}
		catch (SQLException ex) {
			this.broken = this.broken || ConnectionErrors.isConnectionLevel(ex);
			return true;
		}
	}

	private boolean isAutoCommit() throws SQLException {
		// Unless this borrower changed it, auto-commit is the pool's default: ask the driver once.
		return this.sessionSettingsAtBorrow.containsKey("getAutoCommit") ? this.handle.getAutoCommit()
				: this.dataSource.defaultAutoCommit(this.handle);
	}

	private @Nullable Object readSetting(String getter) throws SQLException {
		try {
			return SESSION_GETTERS.get(getter).invoke(this.handle);
		}
		catch (InvocationTargetException ex) {
			if (ex.getTargetException() instanceof SQLException sqlException) {
				throw sqlException;
			}
			throw new SQLException("Could not read " + getter, ex.getTargetException());
		}
		catch (IllegalAccessException ex) {
			throw new SQLException("Could not read " + getter, ex);
		}
	}

	private static Map<String, Method> sessionGetters() {
		Map<String, Method> getters = new HashMap<>();
		for (String getter : SESSION_SETTERS.values()) {
			try {
				getters.put(getter, Connection.class.getMethod(getter));
			}
			catch (NoSuchMethodException ex) {
				throw new IllegalStateException(ex);
			}
		}
		return Map.copyOf(getters);
	}

	/**
	 * Whether SQL changes the session in a way the next borrower would inherit: session
	 * variables, the default database, temporary tables, table locks.
	 */
	static boolean changesSessionState(String sql) {
		String statement = sql.stripLeading().toUpperCase(Locale.ROOT);
		return (statement.startsWith("SET ") && !statement.startsWith("SET TRANSACTION"))
				|| statement.startsWith("USE ") || statement.startsWith("CREATE TEMPORARY")
				|| statement.startsWith("LOCK TABLE");
	}

}
