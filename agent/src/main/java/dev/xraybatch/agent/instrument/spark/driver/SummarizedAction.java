package dev.xraybatch.agent.instrument.spark.driver;

import dev.xraybatch.agent.instrument.spark.ActionReference;
import dev.xraybatch.agent.trace.Kind;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The jobs and stages of one action that began after the trace budget was spent, as one subsegment under the
 * action: counts, failures and the stages' metrics summed. Touched by the listener's thread only.
 */
final class SummarizedAction {
    static final String NAME = "summarized jobs";

    private final Subsegment subsegment;
    private final Map<String, Long> metrics = new LinkedHashMap<>();
    private int openJobs;
    private int jobs;
    private int failedJobs;
    private int stages;
    private int failedStages;
    private int tasks;
    private int failedTasks;
    private long endMicros;

    SummarizedAction(Tracer tracer, ActionReference action, long startMicros) {
        this.subsegment = tracer.beginDetached(action.traceId, action.actionId, NAME, startMicros);
        subsegment.setKind(Kind.SPARK_JOB);
        this.endMicros = startMicros;
    }

    void jobStarted() {
        openJobs++;
        jobs++;
    }

    void jobEnded(long atMicros, boolean failed) {
        openJobs = Math.max(0, openJobs - 1);
        endMicros = Math.max(endMicros, atMicros);
        if (failed) {
            failedJobs++;
        }
    }

    void stageSubmitted() {
        stages++;
    }

    void stageCompleted(Map<String, Object> stageMetrics, boolean failed) {
        if (failed) {
            failedStages++;
        }
        for (Map.Entry<String, Object> metric : stageMetrics.entrySet()) {
            Long sum = metrics.get(metric.getKey());
            metrics.put(metric.getKey(), (sum == null ? 0L : sum) + ((Number) metric.getValue()).longValue());
        }
    }

    void taskEnded(boolean success) {
        tasks++;
        if (!success) {
            failedTasks++;
        }
    }

    /** None of its jobs is running: a later job of the same action starts a new summary. */
    boolean isIdle() {
        return openJobs == 0;
    }

    void send(Tracer tracer) {
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("jobs", jobs);
        counts.put("failed_jobs", failedJobs);
        counts.put("stages", stages);
        counts.put("failed_stages", failedStages);
        counts.put("tasks", tasks);
        counts.put("failed_tasks", failedTasks);
        subsegment.putMetadata("spark", "summarized", counts);
        if (!metrics.isEmpty()) {
            subsegment.putMetadata("spark", "metrics", metrics);
        }
        subsegment.setEndMicros(Math.max(endMicros, subsegment.startMicros()));
        tracer.end(subsegment, failedJobs > 0 ? new StageFailure(failedJobs + " of " + jobs + " jobs failed") : null);
    }
}
