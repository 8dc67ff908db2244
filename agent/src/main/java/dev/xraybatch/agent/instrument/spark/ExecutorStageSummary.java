package dev.xraybatch.agent.instrument.spark;

import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.util.LinkedHashMap;
import java.util.Map;

/** The tasks one executor ran for one stage attempt of an action, summed up as one subsegment. */
final class ExecutorStageSummary {
    private final ExecutorTasks.TaskRun first;
    private final String executorId;
    private long firstStartMicros;
    private long lastEndMicros;
    private volatile long lastTaskEndMillis;
    private int tasks;
    private int failed;
    private long totalMillis;
    private long slowestMillis = -1;
    private int slowestPartition = -1;
    private long recordsIn;
    private long recordsOut;
    private long spilledBytes;

    ExecutorStageSummary(ExecutorTasks.TaskRun first, String executorId) {
        this.first = first;
        this.executorId = executorId;
        this.firstStartMicros = first.startMicros;
    }

    synchronized void add(int partition, long millis, boolean failedTask, Object taskMetrics) {
        long now = Tracer.nowMicros();
        firstStartMicros = Math.min(firstStartMicros, now - millis * 1000L);
        lastEndMicros = Math.max(lastEndMicros, now);
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
    }

    long lastTaskEndMillis() {
        return lastTaskEndMillis;
    }

    synchronized void send(Tracer tracer) {
        Subsegment summary = tracer.beginDetached(first.action.traceId, first.action.actionId,
                "stage " + first.stageId + " on executor " + executorId, firstStartMicros);
        summary.putMetadata("spark", "stage_id", first.stageId);
        summary.putMetadata("spark", "stage_attempt", first.stageAttempt);
        summary.putMetadata("spark", "executor_id", executorId);
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("tasks", tasks);
        values.put("failed", failed);
        values.put("total_ms", totalMillis);
        values.put("slowest_ms", slowestMillis);
        values.put("slowest_partition", slowestPartition);
        values.put("records_in", recordsIn);
        values.put("records_out", recordsOut);
        values.put("spilled_bytes", spilledBytes);
        summary.putMetadata("spark", "executor_tasks", values);
        summary.setEndMicros(Math.max(lastEndMicros, firstStartMicros));
        tracer.end(summary);
    }
}
