package dev.xraybatch.agent.instrument.spark.executor;

import dev.xraybatch.agent.instrument.spark.ActionReference;
import dev.xraybatch.agent.instrument.spark.Reflect;
import dev.xraybatch.agent.trace.Kind;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The tasks one executor ran for one stage attempt of an action, summed up as one subsegment beneath the driver's
 * stage subsegment (whose id both sides derive, {@link ActionReference#stageSubsegmentId}). It is open while its
 * tasks run: work they do that is traced (AWS SDK calls, pointcuts) and their failed and slow tasks land in it.
 */
final class ExecutorStageSummary {
    final Subsegment subsegment;
    private final int stageId;
    private final int stageAttempt;
    private final String executorId;
    /** Counts every stage of a summarized action ({@link ActionReference#summarized}). */
    private final boolean summarizedAction;
    // Guarded by this.
    private int running;
    private long lastEndMicros;
    private long lastTaskEndMillis;
    private int tasks;
    private int failed;
    private long totalMillis;
    private long slowestMillis = -1;
    private int slowestPartition = -1;
    private long recordsIn;
    private long recordsOut;
    private long spilledBytes;
    private int pythonTasks;
    private long pythonMillis;
    private long slowestPythonMillis = -1;
    private int slowestPythonPartition = -1;
    private long pythonBatches;
    /** -1 while no task had Spark's row metric (Spark 3.3, or Python RDD functions). */
    private long pythonRowsOut = -1;
    private final Set<String> pythonUdfs = new LinkedHashSet<>();

    ExecutorStageSummary(Tracer tracer, ActionReference action, int stageId, int stageAttempt, String executorId,
                         long startMicros) {
        this.stageId = stageId;
        this.stageAttempt = stageAttempt;
        this.executorId = executorId;
        this.subsegment = action.summarized
                ? tracer.beginDetached(action.traceId, action.actionId, "tasks on executor " + executorId, startMicros)
                : tracer.beginDetached(action.traceId, action.stageSubsegmentId(stageId, stageAttempt),
                        "stage " + stageId + " on executor " + executorId, startMicros);
        subsegment.setKind(Kind.TASKS);
        this.summarizedAction = action.summarized;
        this.lastTaskEndMillis = System.currentTimeMillis();
    }

    synchronized void taskStarted() {
        running++;
    }

    /** {@code python} is what the task did in Python, or null when it ran none. */
    synchronized void taskEnded(int partition, long millis, boolean failedTask, Object taskMetrics,
                                PythonWork python) {
        running = Math.max(0, running - 1);
        lastEndMicros = Math.max(lastEndMicros, Tracer.nowMicros());
        lastTaskEndMillis = System.currentTimeMillis();
        tasks++;
        if (failedTask) {
            failed++;
        }
        totalMillis += millis;
        if (millis > slowestMillis) {
            slowestMillis = millis;
            slowestPartition = partition;
        }
        recordsIn += Reflect.getLong(Reflect.get(taskMetrics, "inputMetrics"), "recordsRead", 0L)
                + Reflect.getLong(Reflect.get(taskMetrics, "shuffleReadMetrics"), "recordsRead", 0L);
        recordsOut += Reflect.getLong(Reflect.get(taskMetrics, "outputMetrics"), "recordsWritten", 0L)
                + Reflect.getLong(Reflect.get(taskMetrics, "shuffleWriteMetrics"), "recordsWritten", 0L);
        spilledBytes += Reflect.getLong(taskMetrics, "memoryBytesSpilled", 0L)
                + Reflect.getLong(taskMetrics, "diskBytesSpilled", 0L);
        if (python != null) {
            pythonEnded(partition, python);
        }
    }

    private void pythonEnded(int partition, PythonWork python) {
        pythonTasks++;
        long millis = python.pythonMillis();
        pythonMillis += millis;
        if (millis > slowestPythonMillis) {
            slowestPythonMillis = millis;
            slowestPythonPartition = partition;
        }
        pythonBatches += python.batches();
        long rows = python.sqlMetric(PythonWork.ROWS_RECEIVED);
        if (rows >= 0) {
            pythonRowsOut = Math.max(pythonRowsOut, 0L) + rows;
        }
        for (String name : python.udfNames()) {
            if (pythonUdfs.size() < PythonWork.MAX_UDF_NAMES) {
                pythonUdfs.add(name);
            }
        }
    }

    /** No task of it running, and none ended for {@code idleMillis}: the stage is most likely over here. */
    synchronized boolean isIdle(long nowMillis, long idleMillis) {
        return running == 0 && nowMillis - lastTaskEndMillis >= idleMillis;
    }

    synchronized void send(Tracer tracer) {
        if (!summarizedAction) {
            subsegment.putMetadata("spark", "stage_id", stageId);
            subsegment.putMetadata("spark", "stage_attempt", stageAttempt);
        }
        subsegment.putMetadata("spark", "executor_id", executorId);
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("tasks", tasks);
        values.put("failed", failed);
        values.put("total_ms", totalMillis);
        values.put("slowest_ms", slowestMillis);
        values.put("slowest_partition", slowestPartition);
        values.put("records_in", recordsIn);
        values.put("records_out", recordsOut);
        values.put("spilled_bytes", spilledBytes);
        subsegment.putMetadata("spark", "executor_tasks", values);
        if (pythonTasks > 0) {
            subsegment.putMetadata("spark", "python", pythonSummary());
        }
        subsegment.setEndMicros(Math.max(lastEndMicros, subsegment.startMicros()));
        tracer.end(subsegment);
    }

    private Map<String, Object> pythonSummary() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("tasks", pythonTasks);
        values.put("total_ms", pythonMillis);
        values.put("slowest_ms", slowestPythonMillis);
        values.put("slowest_partition", slowestPythonPartition);
        values.put("batches", pythonBatches);
        PythonWork.putKnown(values, "rows_out", pythonRowsOut);
        if (!pythonUdfs.isEmpty()) {
            values.put("udfs", new ArrayList<>(pythonUdfs));
        }
        return values;
    }
}
