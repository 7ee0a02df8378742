package io.github.connectionlifecycle.jdbc.interception;

import java.sql.SQLException;

import com.mysql.cj.exceptions.CJCommunicationsException;
import com.mysql.cj.exceptions.ExceptionFactory;
import com.mysql.cj.exceptions.MysqlErrorNumbers;
import com.mysql.cj.jdbc.exceptions.CommunicationsException;
import com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.postgresql.util.ServerErrorMessage;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.UncategorizedSQLException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ConnectionErrors} on the drivers' own exception types, built the way the drivers
 * build them from the server's error packets, and which errors say the server is
 * read-only, as MySQL, MariaDB and PostgreSQL report it; the integration tests meet error
 * 1290 from a real MariaDB.
 */
class ConnectionErrorsTests {

	@Test
	void mysqlClientInteractionTimeoutIsConnectionLevel() {
		// MySQL 8.0.24+ sends error 4031 (SQLState HY000) before closing a connection idle
		// past wait_timeout; mysql-connector-j's NativeProtocol.checkErrorMessage turns that
		// error packet into a CJCommunicationsException, which its JDBC layer translates.
		String serverMessage = "The client was disconnected by the server because of inactivity. "
				+ "See wait_timeout and interactive_timeout for configuring this behavior.";
		CJCommunicationsException protocolFailure = ExceptionFactory.createException(CJCommunicationsException.class,
				serverMessage, null, null);
		SQLException failure = SQLExceptionsMapping.translateException(protocolFailure, null);
		assertThat(MysqlErrorNumbers.ER_CLIENT_INTERACTION_TIMEOUT).isEqualTo(4031);
		assertThat((Throwable) failure).isInstanceOf(CommunicationsException.class);
		assertThat(ConnectionErrors.isConnectionLevel(failure)).isTrue();
		assertThat(ConnectionErrors.isConnectionLevel(new DataAccessResourceFailureException("query", failure)))
			.isTrue();
	}

	@Test
	void mysqlStatementErrorIsNotConnectionLevel() {
		SQLException failure = SQLExceptionsMapping.translateException(ExceptionFactory
			.createException("Duplicate entry '1' for key 'PRIMARY'", "23000", MysqlErrorNumbers.ER_DUP_ENTRY, false,
					null, null),
				null);
		assertThat(ConnectionErrors.isConnectionLevel(failure)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "57P01", "57P02", "57P03", "57P05", "25P03" })
	void postgresSessionEndedByTheServerIsConnectionLevel(String sqlState) {
		// What pgjdbc throws for the server's FATAL ErrorResponse before it closes the socket:
		// pg_terminate_backend (57P01), crash (57P02), start-up or shutdown (57P03),
		// idle_session_timeout (57P05), idle_in_transaction_session_timeout (25P03).
		PSQLException failure = new PSQLException(serverError("FATAL", sqlState, "terminating connection"));
		assertThat(failure.getSQLState()).isEqualTo(sqlState);
		assertThat(ConnectionErrors.isConnectionLevel(failure)).isTrue();
		assertThat(ConnectionErrors.isConnectionLevel(new DataAccessResourceFailureException("query", failure)))
			.isTrue();
		assertThat(ConnectionErrors.isReadOnlyServer(failure, null)).isFalse();
	}

	@Test
	void postgresConnectionFailureIsConnectionLevel() {
		PSQLException failure = new PSQLException("An I/O error occurred while sending to the backend.",
				PSQLState.CONNECTION_FAILURE);
		assertThat(ConnectionErrors.isConnectionLevel(failure)).isTrue();
	}

	@Test
	void postgresStatementErrorsAreNotConnectionLevel() {
		assertThat(ConnectionErrors.isConnectionLevel(new PSQLException(serverError("ERROR",
				PSQLState.QUERY_CANCELED.getState(), "canceling statement due to statement timeout"))))
			.isFalse();
		assertThat(ConnectionErrors.isConnectionLevel(new PSQLException(
				serverError("ERROR", PSQLState.UNIQUE_VIOLATION.getState(), "duplicate key value"))))
			.isFalse();
		assertThat(ConnectionErrors
			.isConnectionLevel(new PSQLException("too many connections", PSQLState.CONNECTION_REJECTED)))
			.isFalse();
	}

	@Test
	void readOnlyServerErrorsCount() {
		assertThat(readOnlyServer(new SQLException(
				"The MySQL server is running with the --read-only option so it cannot execute this statement", "HY000",
				1290)))
			.isTrue();
		assertThat(readOnlyServer(new SQLException(
				"The MySQL server is running with the --super-read-only option so it cannot execute this statement",
				"HY000", 1290)))
			.isTrue();
		assertThat(readOnlyServer(new SQLException("Running in read-only mode", "HY000", 1836))).isTrue();
		assertThat(readOnlyServer(new SQLException("ERROR: cannot execute INSERT in a read-only transaction", "25006")))
			.isTrue();
	}

	@Test
	void postgresReadOnlyTransactionFromTheServerCountsButIsNotConnectionLevel() {
		PSQLException failure = new PSQLException(serverError("ERROR", "25006",
				"cannot execute INSERT in a read-only transaction"));
		assertThat(readOnlyServer(failure)).isTrue();
		assertThat(ConnectionErrors.isConnectionLevel(failure)).isFalse();
	}

	@Test
	void otherOptionsAndTheApplicationsOwnReadOnlyTransactionsDoNot() {
		assertThat(readOnlyServer(new SQLException(
				"The MySQL server is running with the --secure-file-priv option so it cannot execute this statement",
				"HY000", 1290)))
			.isFalse();
		assertThat(readOnlyServer(new SQLException("Cannot execute statement in a READ ONLY transaction", "25006",
				1792)))
			.isFalse();
		assertThat(readOnlyServer(new SQLException("Duplicate entry", "23000", 1062))).isFalse();
	}

	@Test
	void isFoundBehindSpringsTranslationButNotInAFailedBorrow() {
		SQLException readOnly = new SQLException("Running in read-only mode", "HY000", 1836);
		UncategorizedSQLException translated = new UncategorizedSQLException("insert", "INSERT", readOnly);
		assertThat(ConnectionErrors.isReadOnlyServer(translated, null)).isTrue();
		assertThat(ConnectionErrors.isReadOnlyServer(translated, translated)).isFalse();
		assertThat(ConnectionErrors.isConnectionLevel(translated)).isFalse();
	}

	private static boolean readOnlyServer(SQLException failure) {
		return ConnectionErrors.isReadOnlyServer(failure, null);
	}

	/** An ErrorResponse as it comes off the wire: typed fields, each ended by a NUL. */
	private static ServerErrorMessage serverError(String severity, String sqlState, String message) {
		return new ServerErrorMessage("S" + severity + "\0C" + sqlState + "\0M" + message + "\0");
	}

}
