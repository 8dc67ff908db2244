package dev.xraybatch.agent.instrument.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

class SqlSanitizerTest {
    private static String standard(String sql) {
        return SqlSanitizer.sanitize(sql, true);
    }

    static Stream<Arguments> queries() {
        return Stream.of(
            Arguments.of("SELECT * FROM orders WHERE id = 42",
                    "SELECT * FROM orders WHERE id = ?"),
            Arguments.of("SELECT * FROM t WHERE name = 'O''Brien' AND city='Paris'",
                    "SELECT * FROM t WHERE name = ? AND city=?"),
            Arguments.of("SELECT * FROM t WHERE s = 'a\\'b' AND x = 1",
                    "SELECT * FROM t WHERE s = ? AND x = ?"),
            Arguments.of("UPDATE acct SET balance = -12.50, rate = .5, big = 1e-3, f = 2.5E+10",
                    "UPDATE acct SET balance = -?, rate = ?, big = ?, f = ?"),
            Arguments.of("SELECT 0x1F, X'0fA1', B'0101', N'nom', E'tab\\t', U&'d\\0061t'",
                    "SELECT ?, ?, ?, ?, ?, ?"),
            Arguments.of("SELECT $$secret body$$, $tag$it's $$ nested$tag$ FROM t",
                    "SELECT ?, ? FROM t"),
            Arguments.of("SELECT * FROM t WHERE a = $1 AND b = $2 AND c = :name AND d = ?",
                    "SELECT * FROM t WHERE a = $1 AND b = $2 AND c = :name AND d = ?"),
            Arguments.of("SELECT col1, t2.c_3, v$session FROM table9 t2",
                    "SELECT col1, t2.c_3, v$session FROM table9 t2"),
            Arguments.of("SELECT 1 -- the customer's card 4111\nFROM dual",
                    "SELECT ? FROM dual"),
            Arguments.of("SELECT /* token abc123 */ a FROM \"Orders\" WHERE \"Id\" = 7",
                    "SELECT a FROM \"Orders\" WHERE \"Id\" = ?"),
            Arguments.of("INSERT INTO t (a, b)\n\tVALUES (1,\n 'x')",
                    "INSERT INTO t (a, b) VALUES (?, ?)"),
            Arguments.of("SELECT * FROM `orders` WHERE id IN (1, 2, 3)",
                    "SELECT * FROM `orders` WHERE id IN (?, ?, ?)"),
            Arguments.of("SELECT {ts '2024-01-02 03:04:05'}, INTERVAL '3 days'",
                    "SELECT {ts ?}, INTERVAL ?"),
            Arguments.of("SELECT ARRAY[1,2][1], 'a'::text",
                    "SELECT ARRAY[?,?][?], ?::text"),
            Arguments.of("SELECT 10L, 3.0f",
                    "SELECT ?, ?"),
            Arguments.of("SELECT TRUE, NULL, FALSE",
                    "SELECT TRUE, NULL, FALSE"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queries")
    void replacesEveryLiteralAndKeepsTheShape(String sql, String expected) {
        assertThat(standard(sql)).isEqualTo(expected);
    }

    @Test
    void doubleQuotedTextIsALiteralWhereTheDatabaseMayTakeItForAString() {
        assertThat(SqlSanitizer.sanitize("SELECT * FROM t WHERE name = \"Alice\"", false))
                .isEqualTo("SELECT * FROM t WHERE name = ?");
        assertThat(SqlSanitizer.sanitize("SELECT * FROM t WHERE name = \"Alice\"", true))
                .isEqualTo("SELECT * FROM t WHERE name = \"Alice\"");
    }

    @Test
    void anUnterminatedLiteralOrCommentHidesEverythingAfterIt() {
        assertThat(standard("SELECT * FROM t WHERE a = 'no end AND b = 5")).isEqualTo("SELECT * FROM t WHERE a = ?");
        assertThat(standard("SELECT a /* open comment 'x' 42")).isEqualTo("SELECT a");
        assertThat(standard("SELECT $q$ never closed 42")).isEqualTo("SELECT ?");
    }

    @Test
    void longQueriesAreCutAtTheLimitAndSaySo() {
        StringBuilder sql = new StringBuilder("SELECT * FROM t WHERE id IN (");
        for (int i = 0; i < 5000; i++) {
            sql.append(i == 0 ? "" : ", ").append(100000 + i);
        }
        sql.append(")");
        String sanitized = standard(sql.toString());
        assertThat(sanitized).hasSizeLessThanOrEqualTo(SqlSanitizer.MAX_LENGTH + SqlSanitizer.TRUNCATED.length())
                .endsWith(SqlSanitizer.TRUNCATED).startsWith("SELECT * FROM t WHERE id IN (?, ?, ?")
                .doesNotContainPattern("[0-9]");
    }

    @Test
    void nullStaysNull() {
        assertThat(standard(null)).isNull();
        assertThat(standard("")).isEmpty();
    }
}
