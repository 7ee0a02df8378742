package io.github.connectionlifecycle.jdbc.interception;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import org.springframework.jdbc.UncategorizedSQLException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which errors say the server is read-only, as MySQL, MariaDB and PostgreSQL report it; the
 * integration tests meet error 1290 from a real MariaDB.
 */
class ConnectionErrorsTests {

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

}
