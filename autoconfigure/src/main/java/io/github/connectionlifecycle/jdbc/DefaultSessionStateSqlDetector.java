package io.github.connectionlifecycle.jdbc;

/**
 * The built-in {@link SessionStateSqlDetector}, for MySQL, MariaDB and PostgreSQL: SQL whose
 * first keyword, after white space, line breaks and comments, is {@code SET} (but not
 * {@code SET TRANSACTION}, {@code SET LOCAL} or {@code SET CONSTRAINTS}, which last one
 * transaction at most), {@code USE}, {@code CREATE TEMPORARY} or {@code CREATE TEMP}, or
 * {@code LOCK TABLE}/{@code LOCK TABLES}. It reads the SQL in place, without copying it, so
 * the check costs a few comparisons per statement.
 */
public final class DefaultSessionStateSqlDetector implements SessionStateSqlDetector {

	/** The detector; it keeps no state. */
	public static final DefaultSessionStateSqlDetector INSTANCE = new DefaultSessionStateSqlDetector();

	private DefaultSessionStateSqlDetector() {
	}

	@Override
	public boolean changesSessionState(String sql) {
		int start = skipSpaceAndComments(sql, 0);
		if (start == sql.length()) {
			return false;
		}
		// One comparison for most SQL: the first letter rules out all but one keyword.
		return switch (sql.charAt(start)) {
			case 'S', 's' -> startsWithWord(sql, start, "SET") && isSessionSet(sql, start + 3);
			case 'C', 'c' -> startsWithWord(sql, start, "CREATE") && followedBy(sql, start + 6, "TEMPORARY", "TEMP");
			case 'L', 'l' -> startsWithWord(sql, start, "LOCK") && followedBy(sql, start + 4, "TABLE", "TABLES");
			case 'U', 'u' -> startsWithWord(sql, start, "USE");
			default -> false;
		};
	}

	/** {@code SET TRANSACTION}, {@code SET LOCAL} and {@code SET CONSTRAINTS} last a transaction at most. */
	private static boolean isSessionSet(String sql, int afterSet) {
		int next = skipSpaceAndComments(sql, afterSet);
		return !startsWithWord(sql, next, "TRANSACTION") && !startsWithWord(sql, next, "LOCAL")
				&& !startsWithWord(sql, next, "CONSTRAINTS");
	}

	private static boolean followedBy(String sql, int from, String word, String otherWord) {
		int next = skipSpaceAndComments(sql, from);
		return startsWithWord(sql, next, word) || startsWithWord(sql, next, otherWord);
	}

	private static int skipSpaceAndComments(String sql, int from) {
		int i = from;
		int length = sql.length();
		while (i < length) {
			char c = sql.charAt(i);
			if (Character.isWhitespace(c)) {
				i++;
			}
			else if (c == '/' && i + 1 < length && sql.charAt(i + 1) == '*') {
				int end = sql.indexOf("*/", i + 2);
				i = (end < 0) ? length : end + 2;
			}
			else if ((c == '-' && i + 1 < length && sql.charAt(i + 1) == '-') || c == '#') {
				int end = sql.indexOf('\n', i);
				i = (end < 0) ? length : end + 1;
			}
			else {
				return i;
			}
		}
		return i;
	}

	private static boolean startsWithWord(String sql, int at, String word) {
		int end = at + word.length();
		return sql.regionMatches(true, at, word, 0, word.length())
				&& (end == sql.length() || !Character.isLetterOrDigit(sql.charAt(end)) && sql.charAt(end) != '_');
	}

}
