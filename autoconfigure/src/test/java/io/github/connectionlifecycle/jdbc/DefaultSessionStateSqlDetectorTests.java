package io.github.connectionlifecycle.jdbc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class DefaultSessionStateSqlDetectorTests {

	private final SessionStateSqlDetector detector = DefaultSessionStateSqlDetector.INSTANCE;

	@ParameterizedTest
	@ValueSource(strings = { "SET @tenant = 42", "set names utf8mb4", "  SET\n\tsql_mode = ''",
			"/* tenant */ SET @tenant = 1", "-- switch tenant\nSET @tenant = 1", "# comment\nset @a = 1",
			"SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", "SET search_path TO tenant_1",
			"USE other_database", "CREATE TEMPORARY TABLE t (id INT)", "create temp table t (id int)",
			"LOCK TABLES items WRITE", "lock table items in exclusive mode", "SET" })
	void seesSqlThatChangesTheSession(String sql) {
		assertThat(this.detector.changesSessionState(sql)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "SELECT 1", "INSERT INTO settings VALUES (1)", "UPDATE t SET a = 1",
			"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "set transaction read only",
			"SET LOCAL statement_timeout = 1000", "SET CONSTRAINTS ALL DEFERRED", "/* SET @a = 1 */ SELECT 1",
			"-- SET @a = 1\nSELECT 1", "SETTINGS", "USER_TABLE", "CREATE TABLE temporary_items (id INT)",
			"LOCKED", "", "   ", "/* unterminated" })
	void leavesOtherSqlAlone(String sql) {
		assertThat(this.detector.changesSessionState(sql)).isFalse();
	}

}
