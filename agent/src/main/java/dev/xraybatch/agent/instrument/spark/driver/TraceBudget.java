package dev.xraybatch.agent.instrument.spark.driver;

import dev.xraybatch.agent.trace.Tracer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Spark's side of the trace budget (the tracer's {@code TraceBudgetGauge}, one budget for every document of a
 * trace): once the trace the job's details go to now runs short, actions that begin are summarized
 * ({@code ActionReference.summarized}) and later driver-code gaps only counted, and the root segment's metadata says
 * what was. This JVM's documents are counted as they are rendered; the executors' summaries, which other JVMs send
 * into the same trace, are charged here by estimate when their stage completes.
 */
final class TraceBudget {
    /** Typical rendered size of an executor's stage summary, and of the stand-in of its stage it may send. */
    static final int EXECUTOR_SUMMARY_BYTES = 700;
    static final int EXECUTOR_STUB_BYTES = 300;

    private final Tracer tracer;
    private final AtomicInteger actions = new AtomicInteger();
    private final AtomicInteger jobs = new AtomicInteger();
    private final AtomicInteger stages = new AtomicInteger();
    private final AtomicInteger driverGaps = new AtomicInteger();

    TraceBudget(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Documents that executors (other JVMs) will send into the current trace: {@code summaries} of a stage. */
    void chargeExecutorSummaries(int summaries) {
        tracer.budget().chargeEstimate((long) summaries * (EXECUTOR_SUMMARY_BYTES + EXECUTOR_STUB_BYTES));
    }

    boolean isSpent() {
        return tracer.budget().isShort();
    }

    void summarizedAction() {
        actions.incrementAndGet();
        report();
    }

    void summarizedJob() {
        jobs.incrementAndGet();
        report();
    }

    void summarizedStage() {
        stages.incrementAndGet();
        report();
    }

    void summarizedDriverGap() {
        driverGaps.incrementAndGet();
        report();
    }

    private void report() {
        Map<String, Object> summarized = new LinkedHashMap<>();
        summarized.put("budget_bytes", tracer.budget().budgetBytes());
        summarized.put("actions", actions.get());
        summarized.put("jobs", jobs.get());
        summarized.put("stages", stages.get());
        summarized.put("driver_code_gaps", driverGaps.get());
        tracer.root().putMetadata("spark", "summarized_beyond_budget", summarized);
    }
}
