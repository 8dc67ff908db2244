package dev.xraybatch.agent.instrument.jdbc;

/**
 * A query's text as X-Ray's {@code sql.sanitized_query} may show it: every literal (quoted string, number, hex,
 * bit string, PostgreSQL dollar-quoted body) becomes {@code ?}, comments are dropped, runs of white space become one
 * space, and the result is at most a given length. What a job binds or writes into its SQL (customer names,
 * amounts, ids, keys) must never reach a trace; the statement's shape (tables, columns, operators) is what
 * explains its time. Identifiers, placeholders ({@code ?}, {@code $1}, {@code :name}) and keywords stay.
 *
 * <p>One pass, no regular expressions: it runs on the application's thread for every statement not yet seen. Text
 * it cannot classify is copied; an unterminated literal or comment swallows the rest (nothing of it is shown).
 */
public final class SqlSanitizer {
    /** The longest sanitized query kept; X-Ray's documents are at most 64 KB and hold many calls. */
    public static final int MAX_LENGTH = 2000;
    static final String TRUNCATED = "...";

    private SqlSanitizer() {
    }

    /**
     * @param doubleQuotesAreIdentifiers true where {@code "x"} names a column or table (standard SQL, PostgreSQL,
     *                                   Oracle, H2...); false where it may be a string (MySQL): then it is a literal
     */
    public static String sanitize(String sql, boolean doubleQuotesAreIdentifiers) {
        return sanitize(sql, doubleQuotesAreIdentifiers, MAX_LENGTH);
    }

    static String sanitize(String sql, boolean doubleQuotesAreIdentifiers, int maxLength) {
        if (sql == null) {
            return null;
        }
        int n = sql.length();
        StringBuilder out = new StringBuilder(Math.min(n, maxLength) + 8);
        int i = 0;
        while (i < n) {
            if (out.length() >= maxLength) {
                out.setLength(maxLength);
                return trimEnd(out).append(TRUNCATED).toString();
            }
            char c = sql.charAt(i);
            char next = i + 1 < n ? sql.charAt(i + 1) : '\0';
            if (c == '-' && next == '-') {
                i = endOfLine(sql, i + 2);
                space(out);
            } else if (c == '/' && next == '*') {
                i = endOfBlockComment(sql, i + 2);
                space(out);
            } else if (c == '\'') {
                dropStringPrefix(out);
                i = endOfQuoted(sql, i + 1, '\'');
                out.append('?');
            } else if (c == '"') {
                int end = endOfQuoted(sql, i + 1, '"');
                if (doubleQuotesAreIdentifiers) {
                    out.append(sql, i, end);
                } else {
                    out.append('?');
                }
                i = end;
            } else if (c == '`') {
                int end = endOfQuoted(sql, i + 1, '`');
                out.append(sql, i, end);
                i = end;
            } else if (c == '$' && !followsWord(sql, i)) {
                int tagEnd = dollarTagEnd(sql, i);
                if (tagEnd > 0) {
                    String tag = sql.substring(i, tagEnd);
                    int close = sql.indexOf(tag, tagEnd);
                    i = close < 0 ? n : close + tag.length();
                    out.append('?');
                } else {
                    // $1, $name: a placeholder, or part of a name; the digits after it are not a literal.
                    out.append(c);
                    i++;
                    while (i < n && isWordChar(sql.charAt(i))) {
                        out.append(sql.charAt(i++));
                    }
                }
            } else if ((isDigit(c) || (c == '.' && isDigit(next))) && !followsWord(sql, i)) {
                i = endOfNumber(sql, i);
                out.append('?');
            } else if (Character.isWhitespace(c)) {
                space(out);
                i++;
            } else if (isWordChar(c)) {
                // A whole word at once, so that digits inside a name (t2, col_3) are not taken for numbers.
                int start = i;
                while (i < n && isWordChar(sql.charAt(i))) {
                    i++;
                }
                out.append(sql, start, i);
            } else {
                out.append(c);
                i++;
            }
        }
        if (out.length() > maxLength) {
            out.setLength(maxLength);
            return trimEnd(out).append(TRUNCATED).toString();
        }
        return trimEnd(out).toString();
    }

    /** Letters, digits, _ and $ continue a name (Oracle's v$session, PostgreSQL's $1). */
    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean followsWord(String sql, int i) {
        return i > 0 && isWordChar(sql.charAt(i - 1));
    }

    /** X'0F', B'01', N'text', E'a\'b', U&'x': the one-letter prefix goes with the literal. */
    private static void dropStringPrefix(StringBuilder out) {
        int len = out.length();
        if (len >= 1) {
            char p = Character.toUpperCase(out.charAt(len - 1));
            boolean alone = len == 1 || !isWordChar(out.charAt(len - 2));
            if (alone && (p == 'X' || p == 'B' || p == 'N' || p == 'E')) {
                out.setLength(len - 1);
            } else if (p == '&' && len >= 2 && Character.toUpperCase(out.charAt(len - 2)) == 'U'
                    && (len == 2 || !isWordChar(out.charAt(len - 3)))) {
                out.setLength(len - 2);
            }
        }
    }

    /** Index after the closing quote; a doubled quote or a backslash escapes (both dialects), unclosed: the end. */
    private static int endOfQuoted(String sql, int i, char quote) {
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\\' && quote != '`') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < n && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return n;
    }

    private static int endOfLine(String sql, int i) {
        int nl = sql.indexOf('\n', i);
        return nl < 0 ? sql.length() : nl + 1;
    }

    private static int endOfBlockComment(String sql, int i) {
        int end = sql.indexOf("*/", i);
        return end < 0 ? sql.length() : end + 2;
    }

    /** For {@code $$} or {@code $tag$} at i: the index after the opening tag; else -1 (a placeholder). */
    private static int dollarTagEnd(String sql, int i) {
        int n = sql.length();
        int j = i + 1;
        if (j < n && sql.charAt(j) == '$') {
            return j + 1;
        }
        if (j >= n || !(Character.isLetter(sql.charAt(j)) || sql.charAt(j) == '_')) {
            return -1;
        }
        while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
            j++;
        }
        return j < n && sql.charAt(j) == '$' ? j + 1 : -1;
    }

    /** 42, 4.2, .5, 1e-3, 0x1F: the index after it. */
    private static int endOfNumber(String sql, int i) {
        int n = sql.length();
        if (sql.charAt(i) == '0' && i + 1 < n && (sql.charAt(i + 1) == 'x' || sql.charAt(i + 1) == 'X')) {
            i += 2;
            while (i < n && Character.digit(sql.charAt(i), 16) >= 0) {
                i++;
            }
            return i;
        }
        while (i < n && (isDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
            i++;
        }
        if (i < n && (sql.charAt(i) == 'e' || sql.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < n && (sql.charAt(j) == '+' || sql.charAt(j) == '-')) {
                j++;
            }
            if (j < n && isDigit(sql.charAt(j))) {
                i = j;
                while (i < n && isDigit(sql.charAt(i))) {
                    i++;
                }
            }
        }
        // 10L, 1.5f, 2d and the like: the suffix belongs to the number.
        while (i < n && Character.isLetter(sql.charAt(i))) {
            i++;
        }
        return i;
    }

    private static void space(StringBuilder out) {
        int len = out.length();
        if (len > 0 && out.charAt(len - 1) != ' ') {
            out.append(' ');
        }
    }

    private static StringBuilder trimEnd(StringBuilder out) {
        int len = out.length();
        while (len > 0 && out.charAt(len - 1) == ' ') {
            len--;
        }
        out.setLength(len);
        return out;
    }
}
