package io.github.connectionlifecycle.jdbc;

/**
 * Tells whether SQL leaves state in the database session that the next borrower of the
 * connection would inherit (session variables, the default database, temporary tables,
 * table locks). A connection that ran such SQL is retired when it is returned
 * ({@link RetirementReason#DIRTY}), as Django closes a connection whose state it cannot
 * vouch for.
 * <p>
 * This is a heuristic on the text of the SQL, checked when a statement is prepared or a plain
 * statement runs; stored procedures and functions that change the session are not seen.
 * Define a bean of this type to extend it (for example
 * {@code sql -> DefaultSessionStateSqlDetector.INSTANCE.changesSessionState(sql) || sql.contains("GET_LOCK")})
 * or set {@code connection.session-state-sql-check=false} to switch it off.
 */
@FunctionalInterface
public interface SessionStateSqlDetector {

	/** Sees no SQL as changing the session. */
	SessionStateSqlDetector NONE = (sql) -> false;

	/**
	 * Whether the SQL changes session state that outlives the borrow.
	 * @param sql the SQL as the application passed it
	 * @return {@code true} to retire the connection when it is returned
	 */
	boolean changesSessionState(String sql);

}
