package dev.xraybatch.agent.instrument.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xraybatch.agent.export.ExportPipeline;
import dev.xraybatch.agent.instrument.RecordedTrace;
import dev.xraybatch.testsupport.PostgresServer;
import org.junit.jupiter.api.Test;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The recorder driven as the JDBC advice will drive it, around real executions of real drivers: H2 embedded and
 * PostgreSQL ({@link PostgresServer}). The documents are read back as X-Ray gets them.
 */
class JdbcRecorderTest {
    /** Values the job puts in its SQL: none may reach a document. */
    private static final String SECRET_NAME = "Alice-Private-Name";
    private static final String SECRET_NUMBER = "987654321";

    private final JdbcRecorder recorder = new JdbcRecorder(true);

    /** What the advice does around an execute method: begin, the call, end with what it threw. */
    private <T> T traced(Statement statement, String sql, SqlCall<T> call) throws SQLException {
        JdbcCall token = recorder.begin(statement, sql);
        try {
            T result = call.run();
            recorder.end(token, null);
            return result;
        } catch (SQLException | RuntimeException e) {
            recorder.end(token, e);
            throw e;
        }
    }

    interface SqlCall<T> {
        T run() throws SQLException;
    }

    @Test
    void h2StatementsPreparedStatementsCallsAndBatchesAreRemoteSubsegmentsWithoutLiterals() throws Exception {
        RecordedTrace trace = new RecordedTrace();
        try (Connection c = DriverManager.getConnection(
                "jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1;USER=sa;PASSWORD=" + SECRET_NAME)) {
            Statement s = c.createStatement();
            traced(s, "CREATE TABLE customer (id INT PRIMARY KEY, name VARCHAR(64))", () -> s.execute(
                    "CREATE TABLE customer (id INT PRIMARY KEY, name VARCHAR(64))"));
            String insert = "INSERT INTO customer VALUES (" + SECRET_NUMBER + ", '" + SECRET_NAME + "')";
            traced(s, insert, () -> s.executeUpdate(insert));

            String select = "SELECT name FROM customer WHERE id = ?";
            PreparedStatement ps = c.prepareStatement(select);
            recorder.prepared(ps, select);
            ps.setInt(1, Integer.parseInt(SECRET_NUMBER));
            traced(ps, null, () -> {
                ps.executeQuery().close();
                return null;
            });

            String batch = "INSERT INTO customer VALUES (?, ?)";
            PreparedStatement bs = c.prepareStatement(batch);
            recorder.prepared(bs, batch);
            for (int i = 1; i <= 3; i++) {
                bs.setInt(1, i);
                bs.setString(2, SECRET_NAME + i);
                bs.addBatch();
            }
            traced(bs, null, bs::executeBatch);

            CallableStatement call = c.prepareCall("CALL ABS(-" + SECRET_NUMBER + ")");
            traced(call, "CALL ABS(-" + SECRET_NUMBER + ")", call::execute);
        }
        List<String> docs = trace.finish();
        List<JsonNode> calls = RecordedTrace.subsegments(docs);

        assertThat(calls).extracting(n -> n.path("sql").path("sanitized_query").asText()).containsExactly(
                "CREATE TABLE customer (id INT PRIMARY KEY, name VARCHAR(?))",
                "INSERT INTO customer VALUES (?, ?)",
                "SELECT name FROM customer WHERE id = ?",
                "INSERT INTO customer VALUES (?, ?)",
                "CALL ABS(-?)");
        for (JsonNode n : calls) {
            assertThat(n.path("name").asText()).isEqualTo("ORDERS");
            assertThat(n.path("namespace").asText()).isEqualTo("remote");
            JsonNode sql = n.path("sql");
            assertThat(sql.path("url").asText()).isEqualTo("jdbc:h2:mem:orders");
            assertThat(sql.path("database_type").asText()).isEqualTo("H2");
            assertThat(sql.path("database_version").asText()).startsWith("2.");
            assertThat(sql.path("driver_version").asText()).startsWith("2.");
            assertThat(sql.path("user").asText()).isEqualTo("SA");
        }
        assertThat(calls.get(4).path("sql").path("preparation").asText()).isEqualTo("call");
        assertThat(calls.get(2).path("sql").path("preparation").asText()).isEqualTo("statement");
        assertThat(String.join("\n", docs)).doesNotContain(SECRET_NAME).doesNotContain(SECRET_NUMBER);
    }

    @Test
    void aBatchLoopsStatementGetsSubsegmentsUpToItsLimitThenOneSummaryPerStatement() throws Exception {
        JdbcRecorder limited = new JdbcRecorder(true, 3);
        RecordedTrace trace = new RecordedTrace();
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:loop;DB_CLOSE_DELAY=-1")) {
            String select = "SELECT " + SECRET_NUMBER + " + ?";
            PreparedStatement ps = c.prepareStatement(select);
            limited.prepared(ps, select);
            Statement other = c.createStatement();
            for (int i = 0; i < 10; i++) {
                ps.setInt(1, i);
                JdbcCall call = limited.begin(ps, null);
                ps.executeQuery().close();
                limited.end(call, null);
                if (i % 5 == 0) {
                    JdbcCall second = limited.begin(other, "SELECT 1");
                    other.executeQuery("SELECT 1").close();
                    limited.end(second, null);
                }
            }
        }
        List<JsonNode> calls = RecordedTrace.subsegments(trace.finish());

        assertThat(calls.stream().filter(n -> n.path("sql").path("sanitized_query").asText().equals("SELECT ? + ?")))
                .hasSize(3);
        assertThat(calls.stream().filter(n -> n.path("sql").path("sanitized_query").asText().equals("SELECT ?")))
                .hasSize(2);
        List<JsonNode> summaries = calls.stream().filter(n -> !n.path("metadata").path("xray_batch")
                .path("summary").isMissingNode()).collect(java.util.stream.Collectors.toList());
        assertThat(summaries).hasSize(1);
        assertThat(summaries.get(0).path("metadata").path("xray_batch").path("summary").path("count").asInt())
                .isEqualTo(7);
        assertThat(summaries.get(0).path("name").asText()).startsWith("LOOP SELECT");
    }

    @Test
    void aFailedQueryIsAFaultWithItsSqlStateAndNoValueOfTheRowOrStatement() throws Exception {
        RecordedTrace trace = new RecordedTrace();
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:failing", "sa", "")) {
            Statement s = c.createStatement();
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(64))");
            s.execute("INSERT INTO t VALUES (" + SECRET_NUMBER + ", 'x')");
            String duplicate = "INSERT INTO t VALUES (" + SECRET_NUMBER + ", '" + SECRET_NAME + "')";
            assertThatThrownBy(() -> traced(s, duplicate, () -> s.executeUpdate(duplicate)))
                    .isInstanceOf(SQLException.class).hasMessageContaining(SECRET_NAME);
        }
        List<String> docs = trace.finish();
        JsonNode call = RecordedTrace.subsegments(docs).get(0);
        assertThat(call.path("fault").asBoolean()).isTrue();
        JsonNode exception = call.path("cause").path("exceptions").get(0);
        assertThat(exception.path("type").asText()).startsWith("org.h2.jdbc.JdbcSQL");
        assertThat(exception.path("message").asText()).startsWith("SQLSTATE 23505, code 23505: ");
        assertThat(exception.path("stack").size()).isGreaterThan(0);
        assertThat(String.join("\n", docs)).doesNotContain(SECRET_NAME).doesNotContain(SECRET_NUMBER);
    }

    @Test
    void aPoolWrapperCallingItsDriverIsOneCall() throws Exception {
        RecordedTrace trace = new RecordedTrace();
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:nested", "sa", "")) {
            Statement s = c.createStatement();
            // The wrapper's execute begins, calls the driver's execute, which begins again on the same thread.
            JdbcCall outer = recorder.begin(s, "SELECT 1");
            JdbcCall inner = recorder.begin(s, "SELECT 1");
            s.execute("SELECT 1");
            recorder.end(inner, null);
            recorder.end(outer, null);
            // Depth is back to zero: the next execution is recorded again.
            traced(s, "SELECT 2", () -> s.execute("SELECT 2"));
        }
        List<JsonNode> calls = RecordedTrace.subsegments(trace.finish());
        assertThat(calls).extracting(n -> n.path("sql").path("sanitized_query").asText())
                .containsExactly("SELECT ?", "SELECT ?");
    }

    @Test
    void queryTextNoneLeavesTheQueryOut() throws Exception {
        RecordedTrace trace = new RecordedTrace();
        JdbcRecorder none = new JdbcRecorder(false);
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:none", "sa", "")) {
            Statement s = c.createStatement();
            JdbcCall call = none.begin(s, "SELECT 42");
            s.execute("SELECT 42");
            none.end(call, null);
        }
        JsonNode call = RecordedTrace.subsegments(trace.finish()).get(0);
        assertThat(call.path("sql").has("sanitized_query")).isFalse();
        assertThat(call.path("sql").path("database_type").asText()).isEqualTo("H2");
    }

    @Test
    void theExportThreadsQueriesAreNotRecorded() throws Exception {
        RecordedTrace trace = new RecordedTrace();
        AtomicReference<JdbcCall> seen = new AtomicReference<>();
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:own", "sa", "")) {
            Thread worker = new Thread(() -> seen.set(recorder.begin(null, "SELECT 1")),
                    ExportPipeline.WORKER_THREAD_NAME);
            worker.start();
            worker.join();
        }
        assertThat(seen.get()).isNull();
        assertThat(RecordedTrace.subsegments(trace.finish())).isEmpty();
    }

    /**
     * What {@code DataSource.getConnection}'s advice does, around a real HikariCP pool of one connection. How long
     * a wait took is read from the tracer's clock, which the test moves: the trace's shape does not depend on how
     * fast this machine is.
     */
    @Test
    void aLongWaitForAPooledConnectionIsShownAShortOneIsNotAndATimeoutIsAFault() throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(
                dev.xraybatch.agent.trace.Tracer.nowMicros());
        RecordedTrace trace = new RecordedTrace(now::get);
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:pooled");
        config.setUsername("sa");
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(250);
        try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config)) {
            long quick = recorder.connectionRequested();
            Connection only = pool.getConnection();
            now.addAndGet(JdbcRecorder.LONG_WAIT_MICROS - 1);
            recorder.connectionObtained(quick, pool, null);
            only.close();

            long slow = recorder.connectionRequested();
            Connection again = pool.getConnection();
            now.addAndGet(JdbcRecorder.LONG_WAIT_MICROS);
            recorder.connectionObtained(slow, pool, null);

            // The one connection is still borrowed: the pool gives up after its timeout.
            long exhausted = recorder.connectionRequested();
            SQLException timeout = null;
            try {
                pool.getConnection().close();
            } catch (SQLException e) {
                timeout = e;
            }
            recorder.connectionObtained(exhausted, pool, timeout);
            again.close();
            assertThat((Object) timeout).isNotNull();
        }
        List<JsonNode> waits = RecordedTrace.subsegments(trace.finish());
        assertThat(waits).hasSize(2).allSatisfy(wait -> {
            assertThat(wait.path("name").asText()).isEqualTo("connection wait");
            assertThat(wait.path("metadata").path("xray_batch").path("data_source").asText())
                    .isEqualTo("com.zaxxer.hikari.HikariDataSource");
        });
        // Exactly the wait the clock moved; the margin is the double's rounding of epoch seconds, not time.
        assertThat(waits.get(0).path("end_time").asDouble() - waits.get(0).path("start_time").asDouble())
                .isCloseTo(JdbcRecorder.LONG_WAIT_MICROS / 1e6, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(waits.get(0).has("fault")).isFalse();
        assertThat(waits.get(1).path("fault").asBoolean()).isTrue();
        assertThat(waits.get(1).path("cause").path("exceptions").get(0).path("type").asText())
                .isEqualTo("java.sql.SQLTransientConnectionException");
    }

    @Test
    void postgresqlCallsAreNamedDatabaseAtHostWithTheServersVersionsAndNoPassword() throws Exception {
        PostgresServer server = PostgresServer.find();
        assumeTrue(server != null, () -> "skipped: " + PostgresServer.whyNot());
        RecordedTrace trace = new RecordedTrace();
        String url = server.jdbcUrl() + (server.jdbcUrl().contains("?") ? "&" : "?") + "password="
                + server.password() + "&ApplicationName=outbound-test";
        try (Connection c = DriverManager.getConnection(url, server.user(), server.password())) {
            Statement s = c.createStatement();
            s.execute("DROP TABLE IF EXISTS account");
            s.execute("CREATE TABLE account (id BIGINT PRIMARY KEY, owner TEXT, note TEXT)");
            String insert = "INSERT INTO account VALUES (" + SECRET_NUMBER + ", '" + SECRET_NAME
                    + "', $$dollar " + SECRET_NAME + "$$)";
            traced(s, insert, () -> s.executeUpdate(insert));
            String select = "SELECT owner FROM account WHERE id = ? AND owner <> 'nobody'";
            PreparedStatement ps = c.prepareStatement(select);
            recorder.prepared(ps, select);
            ps.setLong(1, Long.parseLong(SECRET_NUMBER));
            traced(ps, null, () -> {
                ps.executeQuery().close();
                return null;
            });
            assertThatThrownBy(() -> traced(s, insert, () -> s.executeUpdate(insert)))
                    .isInstanceOf(SQLException.class);
        }
        List<String> docs = trace.finish();
        List<JsonNode> calls = RecordedTrace.subsegments(docs);
        assertThat(calls).hasSize(3);
        String database = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
        for (JsonNode n : calls) {
            assertThat(n.path("name").asText()).isEqualTo(database + "@127.0.0.1");
            assertThat(n.path("namespace").asText()).isEqualTo("remote");
            JsonNode sql = n.path("sql");
            assertThat(sql.path("url").asText()).startsWith(server.jdbcUrl()).contains("ApplicationName")
                    .doesNotContain("password");
            assertThat(sql.path("database_type").asText()).isEqualTo("PostgreSQL");
            assertThat(sql.path("database_version").asText()).matches("\\d+\\..*");
            assertThat(sql.path("driver_version").asText()).matches("\\d+\\.\\d+.*");
            assertThat(sql.path("user").asText()).isEqualTo(server.user());
        }
        assertThat(calls.get(0).path("sql").path("sanitized_query").asText())
                .isEqualTo("INSERT INTO account VALUES (?, ?, ?)");
        assertThat(calls.get(1).path("sql").path("sanitized_query").asText())
                .isEqualTo("SELECT owner FROM account WHERE id = ? AND owner <> ?");
        assertThat(calls.get(2).path("fault").asBoolean()).isTrue();
        assertThat(calls.get(2).path("cause").path("exceptions").get(0).path("message").asText())
                .startsWith("SQLSTATE 23505: ");
        assertThat(String.join("\n", docs)).doesNotContain(SECRET_NAME).doesNotContain(SECRET_NUMBER)
                .doesNotContain(server.password());
    }
}
