package dev.xraybatch.agent.instrument.jdbc;

import dev.xraybatch.agent.export.ExportPipeline;
import dev.xraybatch.agent.trace.ForeignException;
import dev.xraybatch.agent.trace.Kind;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * What the JDBC advice calls: one {@code remote} subsegment per statement execution ({@code execute*},
 * {@code executeBatch}), named {@code database@host} as the X-Ray SDKs name it, with X-Ray's {@code sql} block.
 * Driver-agnostic: it reads only {@code java.sql} interfaces.
 *
 * <p>A pool's statement wrapper calls the driver's statement: one call, recorded by the outermost execution on
 * the thread (a per-thread depth). The metadata the block needs is read inside that depth, so that a driver that
 * answers it with a query of its own does not record it either.
 *
 * <p>The query text is never recorded as given: only {@link SqlSanitizer}'s form ({@code jdbc.query_text:
 * sanitized}) or nothing ({@code none}). Failures carry the SQL state and the first line of the driver's message,
 * sanitized the same way (drivers quote the offending values and statements in their messages).
 */
public final class JdbcRecorder {
    /** X-Ray's {@code sql.preparation}: a plain or prepared statement, or a stored-procedure call. */
    static final String STATEMENT = "statement";
    static final String CALL = "call";
    private static final int QUERIES_KEPT = 256;
    private static final int MAX_MESSAGE = 300;

    /** Executions open on this thread: the outermost is recorded. {@code int[]} so the hot path does not box. */
    private static final ThreadLocal<int[]> DEPTH = new ThreadLocal<int[]>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }
    };

    /** {@code DataSource.getConnection} calls open on this thread: a wrapping data source counts once. */
    private static final ThreadLocal<int[]> WAIT_DEPTH = new ThreadLocal<int[]>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }
    };
    /** Waits for a pooled connection shorter than this are not shown: borrowing an idle one takes microseconds. */
    static final long LONG_WAIT_MICROS = 50_000L;
    static final String WAIT_NAME = "connection wait";

    private final boolean queryText;
    private final int summaryAfter;
    private final ConnectionInfo.Cache connections = new ConnectionInfo.Cache();
    /** Prepared statements' text, set when prepared, for executions that take no text. Guarded by itself. */
    private final Map<Statement, String> preparedText = new WeakHashMap<>();
    /** Sanitized forms of recent texts: a batch loop runs the same few statements. Guarded by itself. */
    private final Map<String, String> sanitized = new LinkedHashMap<String, String>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > QUERIES_KEPT;
        }
    };

    /** @param queryText {@code jdbc.query_text}: true for sanitized, false for none */
    public JdbcRecorder(boolean queryText) {
        this(queryText, Integer.MAX_VALUE);
    }

    /**
     * @param queryText    {@code jdbc.query_text}: true for sanitized, false for none
     * @param summaryAfter {@code jdbc.summary_after}: executions of one statement under one parent that get a
     *                     subsegment; the rest are counted into one summary
     */
    public JdbcRecorder(boolean queryText, int summaryAfter) {
        this.queryText = queryText;
        this.summaryAfter = summaryAfter;
    }

    /**
     * Remembers a prepared (or callable) statement's text: its {@code execute()} and {@code executeBatch()} take
     * none. Call on the return of {@code Connection.prepareStatement/prepareCall}.
     */
    public void prepared(Statement statement, String sql) {
        if (statement == null || sql == null || Tracer.get() == null) {
            return;
        }
        synchronized (preparedText) {
            preparedText.put(statement, sql);
        }
    }

    /**
     * Opens the execution's subsegment under what is current on this thread, or returns null when nothing is
     * recorded (no tracer, the agent's own export thread). Every non-null result must be passed to
     * {@link #end} on this thread, whatever happens.
     *
     * @param sql the text the execute method was given, or null (prepared, batch): then the prepared text
     */
    public JdbcCall begin(Statement statement, String sql) {
        Tracer tracer = Tracer.get();
        if (tracer == null || ExportPipeline.WORKER_THREAD_NAME.equals(Thread.currentThread().getName())) {
            return null;
        }
        int[] depth = DEPTH.get();
        if (depth[0]++ > 0) {
            return JdbcCall.NESTED;
        }
        try {
            return open(tracer, statement, sql);
        } catch (Throwable agentFault) {
            // Never the job's problem: the execution goes on unrecorded.
            return JdbcCall.NESTED;
        }
    }

    private JdbcCall open(Tracer tracer, Statement statement, String sql) throws SQLException {
        Connection connection = statement == null ? null : statement.getConnection();
        ConnectionInfo info = connections.of(connection);
        String text = sql;
        if (text == null && statement != null) {
            synchronized (preparedText) {
                text = preparedText.get(statement);
            }
        }
        String query = queryText && text != null ? sanitized(text, info.doubleQuotesAreIdentifiers) : null;
        // Per statement (database and text) under one parent: a batch loop's thousandth execution of one
        // statement is counted into its summary, with the first ones in full.
        Subsegment s = tracer.beginLimited(JdbcCall.kind(info.name, query), summaryAfter);
        if (s.isSummarizedCall()) {
            return new JdbcCall(s, query);
        }
        s.setName(info.name);
        s.setNamespace("remote");
        s.setKind(Kind.REMOTE_CALL);
        if (info.url != null) {
            s.putSql("url", info.url);
        }
        if (info.databaseType != null) {
            s.putSql("database_type", info.databaseType);
        }
        if (info.databaseVersion != null) {
            s.putSql("database_version", info.databaseVersion);
        }
        if (info.driverVersion != null) {
            s.putSql("driver_version", info.driverVersion);
        }
        if (info.user != null) {
            s.putSql("user", info.user);
        }
        s.putSql("preparation", statement instanceof CallableStatement ? CALL : STATEMENT);
        if (query != null) {
            s.putSql("sanitized_query", query);
        }
        return new JdbcCall(s, query);
    }

    private String sanitized(String text, boolean doubleQuotesAreIdentifiers) {
        String key = doubleQuotesAreIdentifiers ? text : "\u0000" + text;
        synchronized (sanitized) {
            String known = sanitized.get(key);
            if (known != null) {
                return known;
            }
        }
        String result = SqlSanitizer.sanitize(text, doubleQuotesAreIdentifiers);
        synchronized (sanitized) {
            sanitized.put(key, result);
        }
        return result;
    }

    /** Ends what {@link #begin} returned; {@code error} is what the execution threw, or null. */
    public void end(JdbcCall call, Throwable error) {
        if (call == null) {
            return;
        }
        int[] depth = DEPTH.get();
        if (depth[0] > 0) {
            depth[0]--;
        }
        Tracer tracer = Tracer.get();
        if (call.subsegment == null || tracer == null) {
            return;
        }
        try {
            if (error != null) {
                call.subsegment.markFault();
                call.subsegment.recordException(describe(error), true);
            }
        } catch (Throwable agentFault) {
            // The call still ends below.
        }
        tracer.end(call.subsegment, null);
    }

    /**
     * Call on entry to {@code DataSource.getConnection()}: the time (tracer clock, microseconds) to pass to
     * {@link #connectionObtained}, or 0 when nothing is recorded (no tracer, the export thread, a data source
     * wrapped in another).
     */
    public long connectionRequested() {
        Tracer tracer = Tracer.get();
        if (tracer == null || ExportPipeline.WORKER_THREAD_NAME.equals(Thread.currentThread().getName())) {
            return 0L;
        }
        if (WAIT_DEPTH.get()[0]++ > 0) {
            return -1L;
        }
        return tracer.clockMicros();
    }

    /**
     * Call on exit of {@code DataSource.getConnection()} with what {@link #connectionRequested} returned: a wait
     * of {@link #LONG_WAIT_MICROS} or more (a pool exhausted by the job's own threads, a database slow to accept)
     * becomes a {@code connection wait} subsegment under what is current; a failure to get one always does, as a
     * fault. Shorter waits leave no trace.
     *
     * @param pool the data source's class, named in the subsegment's metadata
     */
    public void connectionObtained(long requestedMicros, Object pool, Throwable error) {
        if (requestedMicros == 0L) {
            return;
        }
        int[] depth = WAIT_DEPTH.get();
        if (depth[0] > 0) {
            depth[0]--;
        }
        Tracer tracer = Tracer.get();
        if (requestedMicros < 0L || tracer == null) {
            return;
        }
        long now = tracer.clockMicros();
        if (error == null && now - requestedMicros < LONG_WAIT_MICROS) {
            return;
        }
        try {
            Subsegment s = tracer.beginChild(tracer.current(), WAIT_NAME);
            s.setStartMicros(requestedMicros);
            s.setKind(Kind.REMOTE_CALL);
            if (pool != null) {
                s.putMetadata("xray_batch", "data_source", pool.getClass().getName());
            }
            if (error != null) {
                s.markFault();
                s.recordException(describe(error), false);
            }
            s.setEndMicros(now);
            tracer.end(s, null);
            tracer.recordedAfterTheFact(s); // the job's thread sat in no subsegment while it waited
        } catch (Throwable agentFault) {
            // Never the job's problem.
        }
    }

    /**
     * The failure as a trace shows it: the driver's type and stack, its SQL state and error code, and the first
     * line of its message with literals and quoted text replaced (H2 and PostgreSQL quote rows and statements).
     */
    static ForeignException describe(Throwable error) {
        StringBuilder message = new StringBuilder();
        if (error instanceof SQLException) {
            SQLException sqlError = (SQLException) error;
            if (sqlError.getSQLState() != null) {
                message.append("SQLSTATE ").append(sqlError.getSQLState());
            }
            if (sqlError.getErrorCode() != 0) {
                message.append(message.length() > 0 ? ", " : "").append("code ").append(sqlError.getErrorCode());
            }
        }
        String text = null;
        try {
            text = error.getMessage();
        } catch (Throwable broken) {
            // The driver's own message failed: type and state say enough.
        }
        if (text != null) {
            int nl = text.indexOf('\n');
            String first = (nl >= 0 ? text.substring(0, nl) : text).trim();
            String safe = SqlSanitizer.sanitize(first, false, MAX_MESSAGE);
            if (!safe.isEmpty()) {
                message.append(message.length() > 0 ? ": " : "").append(safe);
            }
        }
        StackTraceElement[] stack = error.getStackTrace();
        List<ForeignException.Frame> frames = new ArrayList<>(Math.min(stack.length, 50));
        for (int i = 0; i < stack.length && i < 50; i++) {
            StackTraceElement f = stack[i];
            frames.add(new ForeignException.Frame(f.getFileName() == null ? f.getClassName() : f.getFileName(),
                    Math.max(0, f.getLineNumber()), f.getClassName() + "." + f.getMethodName()));
        }
        return new ForeignException(error.getClass().getName(), message.toString(), frames, null);
    }
}
