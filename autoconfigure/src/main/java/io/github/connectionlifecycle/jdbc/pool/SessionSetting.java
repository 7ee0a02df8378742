package io.github.connectionlifecycle.jdbc.pool;

/**
 * A JDBC session setting whose change outlives the borrow unless someone undoes it: by the
 * borrower, by the pool on return, or by the connection lifecycle retiring the connection.
 */
public enum SessionSetting {

	/** {@code setAutoCommit}; a pool that restores it also rolls back uncommitted work. */
	AUTO_COMMIT,

	/** {@code setReadOnly}. */
	READ_ONLY,

	/** {@code setTransactionIsolation}. */
	TRANSACTION_ISOLATION,

	/** {@code setCatalog}. */
	CATALOG,

	/** {@code setSchema}. */
	SCHEMA,

	/** {@code setHoldability}. */
	HOLDABILITY

}
