package io.github.connectionlifecycle.jdbc.interception;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;

/**
 * A plain statement of a {@link TrackedConnection}: its SQL is known only when it runs, so
 * it is shown to the connection then; connection-level errors are reported to it too.
 * Delegates directly, without reflection.
 */
final class TrackedStatement implements Statement {

	private final Statement statement;

	private final TrackedConnection connection;

	TrackedStatement(Statement statement, TrackedConnection connection) {
		this.statement = statement;
		this.connection = connection;
	}

	@Override
	public void close() throws SQLException {
		this.statement.close();
	}

	@Override
	public boolean isClosed() throws SQLException {
		return this.statement.isClosed();
	}

	@Override
	public <T> T unwrap(Class<T> type) throws SQLException {
		return type.isInstance(this) ? type.cast(this) : this.statement.unwrap(type);
	}

	@Override
	public boolean isWrapperFor(Class<?> type) throws SQLException {
		return type.isInstance(this) || this.statement.isWrapperFor(type);
	}

	@Override
	public String toString() {
		return "TrackedStatement[" + this.statement + "]";
	}

	@Override
	public ResultSet executeQuery(String sql) throws SQLException {
		try {
			this.connection.observeSql(sql);
			return this.statement.executeQuery(sql);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public int executeUpdate(String sql) throws SQLException {
		try {
			this.connection.observeSql(sql);
			return this.statement.executeUpdate(sql);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public int getMaxFieldSize() throws SQLException {
		try {
			return this.statement.getMaxFieldSize();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public void setMaxFieldSize(int max) throws SQLException {
		try {
			this.statement.setMaxFieldSize(max);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public int getMaxRows() throws SQLException {
		try {
			return this.statement.getMaxRows();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public void setMaxRows(int max) throws SQLException {
		try {
			this.statement.setMaxRows(max);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public void setEscapeProcessing(boolean enable) throws SQLException {
		try {
			this.statement.setEscapeProcessing(enable);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public int getQueryTimeout() throws SQLException {
		try {
			return this.statement.getQueryTimeout();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public void setQueryTimeout(int seconds) throws SQLException {
		try {
			this.statement.setQueryTimeout(seconds);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public void cancel() throws SQLException {
		try {
			this.statement.cancel();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public SQLWarning getWarnings() throws SQLException {
		try {
			return this.statement.getWarnings();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public void clearWarnings() throws SQLException {
		try {
			this.statement.clearWarnings();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public void setCursorName(String name) throws SQLException {
		try {
			this.statement.setCursorName(name);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public boolean execute(String sql) throws SQLException {
		try {
			this.connection.observeSql(sql);
			return this.statement.execute(sql);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public ResultSet getResultSet() throws SQLException {
		try {
			return this.statement.getResultSet();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public int getUpdateCount() throws SQLException {
		try {
			return this.statement.getUpdateCount();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public boolean getMoreResults() throws SQLException {
		try {
			return this.statement.getMoreResults();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public void setFetchDirection(int direction) throws SQLException {
		try {
			this.statement.setFetchDirection(direction);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public int getFetchDirection() throws SQLException {
		try {
			return this.statement.getFetchDirection();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public void setFetchSize(int rows) throws SQLException {
		try {
			this.statement.setFetchSize(rows);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public int getFetchSize() throws SQLException {
		try {
			return this.statement.getFetchSize();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public int getResultSetConcurrency() throws SQLException {
		try {
			return this.statement.getResultSetConcurrency();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public int getResultSetType() throws SQLException {
		try {
			return this.statement.getResultSetType();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public void addBatch(String sql) throws SQLException {
		try {
			this.connection.observeSql(sql);
			this.statement.addBatch(sql);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public void clearBatch() throws SQLException {
		try {
			this.statement.clearBatch();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public int[] executeBatch() throws SQLException {
		try {
			return this.statement.executeBatch();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public Connection getConnection() throws SQLException {
		return this.connection;
	}

	@Override
	public boolean getMoreResults(int current) throws SQLException {
		try {
			return this.statement.getMoreResults(current);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public ResultSet getGeneratedKeys() throws SQLException {
		try {
			return this.statement.getGeneratedKeys();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
		try {
			this.connection.observeSql(sql);
			return this.statement.executeUpdate(sql, autoGeneratedKeys);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
		try {
			this.connection.observeSql(sql);
			return this.statement.executeUpdate(sql, columnIndexes);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public int executeUpdate(String sql, String[] columnNames) throws SQLException {
		try {
			this.connection.observeSql(sql);
			return this.statement.executeUpdate(sql, columnNames);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
		try {
			this.connection.observeSql(sql);
			return this.statement.execute(sql, autoGeneratedKeys);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public boolean execute(String sql, int[] columnIndexes) throws SQLException {
		try {
			this.connection.observeSql(sql);
			return this.statement.execute(sql, columnIndexes);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public boolean execute(String sql, String[] columnNames) throws SQLException {
		try {
			this.connection.observeSql(sql);
			return this.statement.execute(sql, columnNames);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public int getResultSetHoldability() throws SQLException {
		try {
			return this.statement.getResultSetHoldability();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public void setPoolable(boolean poolable) throws SQLException {
		try {
			this.statement.setPoolable(poolable);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public boolean isPoolable() throws SQLException {
		try {
			return this.statement.isPoolable();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public void closeOnCompletion() throws SQLException {
		try {
			this.statement.closeOnCompletion();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public boolean isCloseOnCompletion() throws SQLException {
		try {
			return this.statement.isCloseOnCompletion();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public long getLargeUpdateCount() throws SQLException {
		try {
			return this.statement.getLargeUpdateCount();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public void setLargeMaxRows(long max) throws SQLException {
		try {
			this.statement.setLargeMaxRows(max);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public long getLargeMaxRows() throws SQLException {
		try {
			return this.statement.getLargeMaxRows();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public long[] executeLargeBatch() throws SQLException {
		try {
			return this.statement.executeLargeBatch();
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public long executeLargeUpdate(String sql) throws SQLException {
		try {
			this.connection.observeSql(sql);
			return this.statement.executeLargeUpdate(sql);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
		try {
			this.connection.observeSql(sql);
			return this.statement.executeLargeUpdate(sql, autoGeneratedKeys);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
		try {
			this.connection.observeSql(sql);
			return this.statement.executeLargeUpdate(sql, columnIndexes);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
		try {
			this.connection.observeSql(sql);
			return this.statement.executeLargeUpdate(sql, columnNames);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public String enquoteLiteral(String val) throws SQLException {
		try {
			return this.statement.enquoteLiteral(val);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public String enquoteIdentifier(String identifier, boolean alwaysQuote) throws SQLException {
		try {
			return this.statement.enquoteIdentifier(identifier, alwaysQuote);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public boolean isSimpleIdentifier(String identifier) throws SQLException {
		try {
			return this.statement.isSimpleIdentifier(identifier);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}

	@Override
	public String enquoteNCharLiteral(String val) throws SQLException {
		try {
			return this.statement.enquoteNCharLiteral(val);
		}
		catch (SQLException ex) {
			throw this.connection.failed(ex);
		}
	}
}
