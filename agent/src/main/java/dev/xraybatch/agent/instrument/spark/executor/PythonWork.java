package dev.xraybatch.agent.instrument.spark.executor;

import dev.xraybatch.agent.instrument.spark.Reflect;
import dev.xraybatch.agent.trace.Tracer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one task spent on Python (UDFs, and Python RDD functions): the time its thread was inside Spark's Python
 * runner, that is starting the worker ({@code BasePythonRunner.compute}) and waiting for and reading its results
 * ({@code ReaderIterator.read}, once per batch of results, never per row), the batches, the UDF names, and the
 * rows and bytes Spark's own SQL metrics counted (3.4+).
 *
 * <p>Only the task's own thread touches it, so it needs no locking. Python work done on another thread (in 3.3
 * and 3.5 the writer thread of an outer Python evaluation consumes an inner one) is not timed on its own: the
 * outer evaluation's reads wait for it, so it is inside their time. Nested calls on the task's thread (4.0 feeds
 * the worker from inside {@code read}) count once: only the outermost call is timed.
 */
final class PythonWork {
    /** Keeps the trace small when a plan has many UDFs; the rest are counted. */
    static final int MAX_UDF_NAMES = 10;
    /** Spark's SQL metrics of Python evaluations (PythonSQLMetrics, 3.4+). */
    static final String ROWS_RECEIVED = "pythonNumRowsReceived";
    static final String BYTES_SENT = "pythonDataSent";
    static final String BYTES_RECEIVED = "pythonDataReceived";

    private int depth;
    private long enteredNanos;
    private long firstStartNanos = -1;
    private long firstStartMicros;
    private long lastEndNanos;
    private long pythonNanos;
    private int batches;
    private int evaluations;
    private final Set<String> udfNames = new LinkedHashSet<>();
    private int moreUdfs;
    /** Spark's per-task copies of the SQL metrics maps of the evaluations ({@code Map<String, SQLMetric>}). */
    private final List<Object> sqlMetrics = new ArrayList<>(1);

    /**
     * {@code evaluate(...)} of a UDF evaluation (EvalPythonExec in 3.x, EvalPythonEvaluatorFactory in 4.0), or
     * {@code eval(...)} of 4.2's columnar Arrow evaluator, whose factory ({@code $outer}) has the UDFs and metrics.
     */
    void evaluationStarted(Object evaluation) {
        Object holder = evaluation;
        Object udfs = Reflect.getOrField(holder, "udfs");
        Object factory = udfs == null ? Reflect.getOrField(evaluation, "$outer") : null;
        if (factory != null) {
            holder = factory;
            udfs = Reflect.getOrField(holder, "udfs");
        }
        for (Object udf : Reflect.elements(udfs)) {
            Object name = Reflect.get(udf, "name");
            if (name == null || udfNames.contains(name.toString())) {
                continue;
            }
            if (udfNames.size() < MAX_UDF_NAMES) {
                udfNames.add(name.toString());
            } else {
                moreUdfs++;
            }
        }
        Object metrics = Reflect.getOrField(holder, "pythonMetrics");
        if (metrics != null) {
            sqlMetrics.add(metrics);
        }
    }

    /** Entering the runner: {@code compute} (one per Python evaluation) or {@code read} (one per batch). */
    void enter(boolean startsEvaluation) {
        if (depth++ > 0) {
            return;
        }
        enteredNanos = System.nanoTime();
        if (firstStartNanos < 0) {
            firstStartNanos = enteredNanos;
            firstStartMicros = Tracer.nowMicros();
        }
        if (startsEvaluation) {
            evaluations++;
        }
    }

    /** {@code gotBatch}: a read returned results (the last read of a partition returns none). */
    void exit(boolean gotBatch) {
        if (depth == 0 || --depth > 0) {
            return;
        }
        lastEndNanos = System.nanoTime();
        pythonNanos += lastEndNanos - enteredNanos;
        if (gotBatch) {
            batches++;
        }
    }

    /** False for a task whose Python evaluation was planned but never called the worker (an empty partition). */
    boolean ran() {
        return firstStartNanos >= 0;
    }

    long pythonMillis() {
        return pythonNanos / 1_000_000L;
    }

    int batches() {
        return batches;
    }

    long startMicros() {
        return firstStartMicros;
    }

    long endMicros() {
        return firstStartMicros + Math.max(0L, lastEndNanos - firstStartNanos) / 1000L;
    }

    Set<String> udfNames() {
        return Collections.unmodifiableSet(udfNames);
    }

    /** Rows, or bytes, the Python workers returned to this task: Spark's SQL metric; -1 where Spark has none. */
    long sqlMetric(String name) {
        long total = -1;
        for (Object metrics : sqlMetrics) {
            Object metric = Reflect.unwrapOption(Reflect.call(metrics, "get", name));
            Object value = Reflect.get(metric, "value");
            if (value instanceof Number) {
                total = Math.max(total, 0L) + ((Number) value).longValue();
            }
        }
        return total;
    }

    /** Metadata of the task's {@code python udf} subsegment. */
    Map<String, Object> describe() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("python_ms", pythonMillis());
        values.put("batches", batches);
        values.put("evaluations", evaluations);
        putKnown(values, "rows_out", sqlMetric(ROWS_RECEIVED));
        putKnown(values, "bytes_sent", sqlMetric(BYTES_SENT));
        putKnown(values, "bytes_received", sqlMetric(BYTES_RECEIVED));
        if (!udfNames.isEmpty()) {
            values.put("udfs", new ArrayList<>(udfNames));
        }
        if (moreUdfs > 0) {
            values.put("more_udfs", moreUdfs);
        }
        return values;
    }

    static void putKnown(Map<String, Object> values, String key, long value) {
        if (value >= 0) {
            values.put(key, value);
        }
    }
}
