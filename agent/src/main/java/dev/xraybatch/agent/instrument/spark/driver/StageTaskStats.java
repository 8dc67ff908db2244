package dev.xraybatch.agent.instrument.spark.driver;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The tasks of one stage attempt as the listener saw them end: how many, how many failed, and how uneven they
 * were (the slowest task against the median, with its partition), which is what makes a stage slow.
 */
final class StageTaskStats {
    /** Spark's executor id for tasks run in the driver's JVM (local mode). */
    static final String DRIVER_EXECUTOR_ID = "driver";

    private long[] durations = new long[16];
    private int succeeded;
    private int failed;
    private long slowestMillis = -1;
    private int slowestPartition = -1;
    private final Set<String> executors = new HashSet<>();

    void taskEnded(String executorId, long durationMillis, int partition, boolean success) {
        executors.add(executorId);
        if (!success) {
            failed++;
            return;
        }
        if (succeeded == durations.length) {
            durations = Arrays.copyOf(durations, durations.length * 2);
        }
        durations[succeeded++] = durationMillis;
        if (durationMillis > slowestMillis) {
            slowestMillis = durationMillis;
            slowestPartition = partition;
        }
    }

    /** How many executors ran tasks of the stage: each sends a summary of its own. */
    int executors() {
        return executors.size();
    }

    /** Executors other than the driver's own (local mode): their summaries come from other JVMs. */
    int remoteExecutors() {
        return executors.contains(DRIVER_EXECUTOR_ID) ? executors.size() - 1 : executors.size();
    }

    int failed() {
        return failed;
    }

    /** Metadata for the stage subsegment; empty when no task was seen. */
    Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        if (succeeded == 0 && failed == 0) {
            return summary;
        }
        summary.put("succeeded", succeeded);
        summary.put("failed", failed);
        if (succeeded > 0) {
            long median = median();
            summary.put("median_ms", median);
            summary.put("max_ms", slowestMillis);
            summary.put("slowest_partition", slowestPartition);
            // Slowest against median: 1.0 is perfectly even; the 1 ms floor keeps tiny tasks from dividing by zero.
            summary.put("skew", Math.round(slowestMillis * 100.0 / Math.max(1L, median)) / 100.0);
        }
        return summary;
    }

    private long median() {
        long[] sorted = Arrays.copyOf(durations, succeeded);
        Arrays.sort(sorted);
        return sorted[(sorted.length - 1) / 2];
    }
}
