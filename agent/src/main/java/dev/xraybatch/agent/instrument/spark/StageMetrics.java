package dev.xraybatch.agent.instrument.spark;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stage's {@code TaskMetrics} (summed over its tasks by Spark) as subsegment metadata: time, records and bytes
 * in and out, shuffle, spill and GC. Zero values are left out to keep the trace small.
 */
public final class StageMetrics {
    private StageMetrics() {
    }

    public static Map<String, Object> read(Object taskMetrics) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        if (taskMetrics == null) {
            return metrics;
        }
        put(metrics, "executor_run_time_ms", Reflect.get(taskMetrics, "executorRunTime"));
        Object cpuNanos = Reflect.get(taskMetrics, "executorCpuTime");
        if (cpuNanos instanceof Number) {
            put(metrics, "executor_cpu_time_ms", ((Number) cpuNanos).longValue() / 1_000_000L);
        }
        put(metrics, "jvm_gc_time_ms", Reflect.get(taskMetrics, "jvmGCTime"));
        put(metrics, "peak_execution_memory_bytes", Reflect.get(taskMetrics, "peakExecutionMemory"));
        put(metrics, "memory_bytes_spilled", Reflect.get(taskMetrics, "memoryBytesSpilled"));
        put(metrics, "disk_bytes_spilled", Reflect.get(taskMetrics, "diskBytesSpilled"));
        Object input = Reflect.get(taskMetrics, "inputMetrics");
        put(metrics, "input_records", Reflect.get(input, "recordsRead"));
        put(metrics, "input_bytes", Reflect.get(input, "bytesRead"));
        Object output = Reflect.get(taskMetrics, "outputMetrics");
        put(metrics, "output_records", Reflect.get(output, "recordsWritten"));
        put(metrics, "output_bytes", Reflect.get(output, "bytesWritten"));
        Object shuffleRead = Reflect.get(taskMetrics, "shuffleReadMetrics");
        put(metrics, "shuffle_read_records", Reflect.get(shuffleRead, "recordsRead"));
        put(metrics, "shuffle_read_bytes", Reflect.get(shuffleRead, "totalBytesRead"));
        Object shuffleWrite = Reflect.get(taskMetrics, "shuffleWriteMetrics");
        put(metrics, "shuffle_write_records", Reflect.get(shuffleWrite, "recordsWritten"));
        put(metrics, "shuffle_write_bytes", Reflect.get(shuffleWrite, "bytesWritten"));
        return metrics;
    }

    private static void put(Map<String, Object> metrics, String key, Object value) {
        if (value instanceof Number && ((Number) value).longValue() != 0L) {
            metrics.put(key, ((Number) value).longValue());
        }
    }
}
