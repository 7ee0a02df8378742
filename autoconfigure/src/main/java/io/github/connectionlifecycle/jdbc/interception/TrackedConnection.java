package io.github.connectionlifecycle.jdbc.interception;

import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.ShardingKey;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executor;

import io.github.connectionlifecycle.jdbc.RetirementReason;
import io.github.connectionlifecycle.jdbc.pool.SessionSetting;
import org.jspecify.annotations.Nullable;

/**
 * The connection a borrower gets: the pool's handle, delegated to directly (no reflection),
 * observed for connection-level errors, SQL that changes the session, and session settings
 * the pool does not restore itself; returned or retired on {@link #close()}. Prepared and
 * callable statements are the pool's own: their SQL is seen when they are prepared. Plain
 * statements are wrapped, as their SQL is seen only when it runs.
 * <p>
 * Nothing here reads from the connection before forwarding a call, so the server receives
 * exactly what it would without the lifecycle. The one exception is a pool that does not
 * restore a session setting: its default is read once per pool, the first time a borrower
 * changes it.
 */
final class TrackedConnection implements Connection {

	private final Connection delegate;

	private final ManagedConnection connection;

	private final ManagedDataSource dataSource;

	private final ConnectionLifecycleCleanup cleanup;

	/** Whether it was borrowed inside a unit of work: what is retired on return depends on it. */
	private final boolean borrowedInUnit;

	/** Values of the session settings this borrower changed and the pool does not restore. */
	private @Nullable Object @Nullable [] settingsChanged;

	private boolean statementsSinceCommit;

	private boolean sessionChangedBySql;

	/** Why an operation's failure retires it on return: BROKEN, READ_ONLY, or none yet. */
	private @Nullable RetirementReason failedWith;

	/** The borrower asked for a read-only connection: its PostgreSQL 25006 is its own doing. */
	private boolean readOnlyRequested;

	private boolean closed;

	TrackedConnection(Connection delegate, ManagedConnection connection, ConnectionLifecycleCleanup cleanup,
			boolean borrowedInUnit) {
		this.delegate = delegate;
		this.connection = connection;
		this.dataSource = connection.owner();
		this.cleanup = cleanup;
		this.borrowedInUnit = borrowedInUnit;
	}

	/** Notes what an operation on this connection failed with. */
	<E extends SQLException> E failed(E ex) {
		if (this.failedWith == RetirementReason.BROKEN) {
			return ex;
		}
		if (ConnectionErrors.isConnectionLevel(ex)) {
			this.failedWith = RetirementReason.BROKEN;
		}
		else if (!this.readOnlyRequested && this.dataSource.policy().retiresOnReadOnlyErrors()
				&& ConnectionErrors.isReadOnlyServer(ex, null)) {
			this.failedWith = RetirementReason.READ_ONLY;
		}
		return ex;
	}

	/** SQL is about to run on this connection: it may change session state. */
	void observeSql(@Nullable String sql) {
		if (!this.sessionChangedBySql && sql != null && this.cleanup.sessionStateSql().changesSessionState(sql)) {
			this.sessionChangedBySql = true;
		}
	}

	private void settingChanged(SessionSetting setting, Object value) throws SQLException {
		if (this.dataSource.restoresOnReturn(setting)) {
			return;
		}
		@Nullable Object[] changed = this.settingsChanged;
		if (changed == null) {
			changed = new Object[SessionSetting.values().length];
			this.settingsChanged = changed;
		}
		if (changed[setting.ordinal()] == null) {
			// Before the change: the pool's default, read once per pool.
			this.dataSource.sessionDefault(setting, this.delegate);
		}
		changed[setting.ordinal()] = value;
	}

	@Override
	public void close() throws SQLException {
		if (this.closed) {
			return;
		}
		this.closed = true;
		boolean inUnit = this.borrowedInUnit;
		RetirementReason reason;
		try {
			reason = reasonToRetireOnReturn(inUnit);
		}
		catch (RuntimeException ex) {
			// A driver that fails to say what state it is in: do not trust it to the next borrower.
			reason = RetirementReason.BROKEN;
		}
		if (reason == null) {
			// Noted before the pool has it back: a borrower on another thread must find it borrowed.
			this.dataSource.returned(this.connection);
			this.dataSource.pool().release(this.delegate);
			return;
		}
		this.dataSource.retireHeld(this.delegate, this.connection, reason);
		if (reason == RetirementReason.BROKEN || reason == RetirementReason.READ_ONLY) {
			UnitConnections unit = inUnit ? this.cleanup.currentUnit() : null;
			if (unit != null) {
				unit.brokenConnectionSeen(this.dataSource);
			}
			else {
				this.dataSource.retireIdleSiblingsOfBroken();
			}
		}
	}

	private @Nullable RetirementReason reasonToRetireOnReturn(boolean inUnit) {
		if (this.failedWith != null) {
			return this.failedWith;
		}
		if (this.connection.isPhysicallyClosed()) {
			return RetirementReason.BROKEN;
		}
		if (this.sessionChangedBySql || leavesSessionChanged()) {
			return RetirementReason.DIRTY;
		}
		if (inUnit && this.dataSource.policy().closesAfterEveryUnit() && !this.dataSource.pool().canRetireReturned()) {
			// The pool cannot retire it once returned: retire it now instead of at the end.
			return RetirementReason.MAX_AGE;
		}
		return null;
	}

	private boolean leavesSessionChanged() {
		@Nullable Object[] changed = this.settingsChanged;
		boolean autoCommitTracked = !this.dataSource.restoresOnReturn(SessionSetting.AUTO_COMMIT);
		if (changed == null && !(autoCommitTracked && this.statementsSinceCommit)) {
			return false;
		}
		try {
			if (changed != null) {
				for (SessionSetting setting : SessionSetting.values()) {
					Object value = changed[setting.ordinal()];
					if (value != null && !Objects.equals(value, this.dataSource.sessionDefault(setting, this.delegate))) {
						return true;
					}
				}
			}
			return autoCommitTracked && this.statementsSinceCommit && !autoCommit(changed);
		}
		catch (SQLException ex) {
			failed(ex);
			return true;
		}
	}

	/** Auto-commit as this borrower left it: as set, else the pool's default. */
	private boolean autoCommit(@Nullable Object @Nullable [] changed) throws SQLException {
		Object set = (changed != null) ? changed[SessionSetting.AUTO_COMMIT.ordinal()] : null;
		return Boolean.TRUE.equals((set != null) ? set : this.dataSource.sessionDefault(SessionSetting.AUTO_COMMIT,
				this.delegate));
	}

	@Override
	public boolean isClosed() throws SQLException {
		return this.closed || this.delegate.isClosed();
	}

	@Override
	public <T> T unwrap(Class<T> type) throws SQLException {
		return type.isInstance(this) ? type.cast(this) : this.delegate.unwrap(type);
	}

	@Override
	public boolean isWrapperFor(Class<?> type) throws SQLException {
		return type.isInstance(this) || this.delegate.isWrapperFor(type);
	}

	@Override
	public String toString() {
		return "TrackedConnection[" + this.delegate + "]";
	}

	@Override
	public Statement createStatement() throws SQLException {
		try {
			Statement statement = this.delegate.createStatement();
			this.statementsSinceCommit = true;
			return new TrackedStatement(statement, this);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public PreparedStatement prepareStatement(String sql) throws SQLException {
		try {
			observeSql(sql);
			PreparedStatement result = this.delegate.prepareStatement(sql);
			this.statementsSinceCommit = true;
			return result;
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public CallableStatement prepareCall(String sql) throws SQLException {
		try {
			observeSql(sql);
			CallableStatement result = this.delegate.prepareCall(sql);
			this.statementsSinceCommit = true;
			return result;
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public String nativeSQL(String sql) throws SQLException {
		try {
			observeSql(sql);
			return this.delegate.nativeSQL(sql);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void setAutoCommit(boolean autoCommit) throws SQLException {
		try {
			settingChanged(SessionSetting.AUTO_COMMIT, autoCommit);
			this.delegate.setAutoCommit(autoCommit);
			this.statementsSinceCommit = false;
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public boolean getAutoCommit() throws SQLException {
		try {
			return this.delegate.getAutoCommit();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void commit() throws SQLException {
		try {
			this.delegate.commit();
			this.statementsSinceCommit = false;
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void rollback() throws SQLException {
		try {
			this.delegate.rollback();
			this.statementsSinceCommit = false;
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public DatabaseMetaData getMetaData() throws SQLException {
		try {
			return this.delegate.getMetaData();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void setReadOnly(boolean readOnly) throws SQLException {
		try {
			settingChanged(SessionSetting.READ_ONLY, readOnly);
			this.delegate.setReadOnly(readOnly);
			this.readOnlyRequested = readOnly;
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public boolean isReadOnly() throws SQLException {
		try {
			return this.delegate.isReadOnly();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void setCatalog(String catalog) throws SQLException {
		try {
			settingChanged(SessionSetting.CATALOG, catalog);
			this.delegate.setCatalog(catalog);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public String getCatalog() throws SQLException {
		try {
			return this.delegate.getCatalog();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void setTransactionIsolation(int level) throws SQLException {
		try {
			settingChanged(SessionSetting.TRANSACTION_ISOLATION, level);
			this.delegate.setTransactionIsolation(level);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public int getTransactionIsolation() throws SQLException {
		try {
			return this.delegate.getTransactionIsolation();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public SQLWarning getWarnings() throws SQLException {
		try {
			return this.delegate.getWarnings();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void clearWarnings() throws SQLException {
		try {
			this.delegate.clearWarnings();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
		try {
			Statement statement = this.delegate.createStatement(resultSetType, resultSetConcurrency);
			this.statementsSinceCommit = true;
			return new TrackedStatement(statement, this);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
		try {
			observeSql(sql);
			PreparedStatement result = this.delegate.prepareStatement(sql, resultSetType, resultSetConcurrency);
			this.statementsSinceCommit = true;
			return result;
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
		try {
			observeSql(sql);
			CallableStatement result = this.delegate.prepareCall(sql, resultSetType, resultSetConcurrency);
			this.statementsSinceCommit = true;
			return result;
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public Map<String,Class<?>> getTypeMap() throws SQLException {
		try {
			return this.delegate.getTypeMap();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void setTypeMap(Map<String,Class<?>> map) throws SQLException {
		try {
			this.delegate.setTypeMap(map);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void setHoldability(int holdability) throws SQLException {
		try {
			settingChanged(SessionSetting.HOLDABILITY, holdability);
			this.delegate.setHoldability(holdability);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public int getHoldability() throws SQLException {
		try {
			return this.delegate.getHoldability();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public Savepoint setSavepoint() throws SQLException {
		try {
			return this.delegate.setSavepoint();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public Savepoint setSavepoint(String name) throws SQLException {
		try {
			return this.delegate.setSavepoint(name);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void rollback(Savepoint savepoint) throws SQLException {
		try {
			this.delegate.rollback(savepoint);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void releaseSavepoint(Savepoint savepoint) throws SQLException {
		try {
			this.delegate.releaseSavepoint(savepoint);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
		try {
			Statement statement = this.delegate.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability);
			this.statementsSinceCommit = true;
			return new TrackedStatement(statement, this);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
		try {
			observeSql(sql);
			PreparedStatement result = this.delegate.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability);
			this.statementsSinceCommit = true;
			return result;
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
		try {
			observeSql(sql);
			CallableStatement result = this.delegate.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability);
			this.statementsSinceCommit = true;
			return result;
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
		try {
			observeSql(sql);
			PreparedStatement result = this.delegate.prepareStatement(sql, autoGeneratedKeys);
			this.statementsSinceCommit = true;
			return result;
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
		try {
			observeSql(sql);
			PreparedStatement result = this.delegate.prepareStatement(sql, columnIndexes);
			this.statementsSinceCommit = true;
			return result;
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
		try {
			observeSql(sql);
			PreparedStatement result = this.delegate.prepareStatement(sql, columnNames);
			this.statementsSinceCommit = true;
			return result;
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public Clob createClob() throws SQLException {
		try {
			return this.delegate.createClob();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public Blob createBlob() throws SQLException {
		try {
			return this.delegate.createBlob();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public NClob createNClob() throws SQLException {
		try {
			return this.delegate.createNClob();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public SQLXML createSQLXML() throws SQLException {
		try {
			return this.delegate.createSQLXML();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public boolean isValid(int timeout) throws SQLException {
		try {
			return this.delegate.isValid(timeout);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void setClientInfo(String name, String value) throws SQLClientInfoException {
		try {
			this.delegate.setClientInfo(name, value);
		}
		catch (SQLClientInfoException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void setClientInfo(Properties properties) throws SQLClientInfoException {
		try {
			this.delegate.setClientInfo(properties);
		}
		catch (SQLClientInfoException ex) {
			throw failed(ex);
		}
	}

	@Override
	public String getClientInfo(String name) throws SQLException {
		try {
			return this.delegate.getClientInfo(name);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public Properties getClientInfo() throws SQLException {
		try {
			return this.delegate.getClientInfo();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
		try {
			return this.delegate.createArrayOf(typeName, elements);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
		try {
			return this.delegate.createStruct(typeName, attributes);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void setSchema(String schema) throws SQLException {
		try {
			settingChanged(SessionSetting.SCHEMA, schema);
			this.delegate.setSchema(schema);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public String getSchema() throws SQLException {
		try {
			return this.delegate.getSchema();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void abort(Executor executor) throws SQLException {
		try {
			this.delegate.abort(executor);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
		try {
			this.delegate.setNetworkTimeout(executor, milliseconds);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public int getNetworkTimeout() throws SQLException {
		try {
			return this.delegate.getNetworkTimeout();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void beginRequest() throws SQLException {
		try {
			this.delegate.beginRequest();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void endRequest() throws SQLException {
		try {
			this.delegate.endRequest();
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public boolean setShardingKeyIfValid(ShardingKey shardingKey, ShardingKey superShardingKey, int timeout) throws SQLException {
		try {
			return this.delegate.setShardingKeyIfValid(shardingKey, superShardingKey, timeout);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public boolean setShardingKeyIfValid(ShardingKey shardingKey, int timeout) throws SQLException {
		try {
			return this.delegate.setShardingKeyIfValid(shardingKey, timeout);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void setShardingKey(ShardingKey shardingKey, ShardingKey superShardingKey) throws SQLException {
		try {
			this.delegate.setShardingKey(shardingKey, superShardingKey);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}

	@Override
	public void setShardingKey(ShardingKey shardingKey) throws SQLException {
		try {
			this.delegate.setShardingKey(shardingKey);
		}
		catch (SQLException ex) {
			throw failed(ex);
		}
	}
}
