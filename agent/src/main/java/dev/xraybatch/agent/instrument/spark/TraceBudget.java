package dev.xraybatch.agent.instrument.spark;

import dev.xraybatch.agent.trace.Tracer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How much of X-Ray's per-trace size (about 500 KB, less when documents trickle in) the Spark jobs, stages and
 * executor summaries (and sampled driver code) of one driver may use. They are charged as the listener creates them, at the size such
 * documents typically render to; once the budget is spent, actions that begin are summarized
 * ({@link ActionReference#summarized}), and the root segment's metadata says what was.
 */
final class TraceBudget {
    /** Typical rendered sizes, with room for long call sites and full metrics. */
    static final int JOB_BYTES = 400;
    static final int STAGE_BYTES = 1200;
    static final int EXECUTOR_SUMMARY_BYTES = 700;
    static final int DRIVER_GAP_BYTES = 900;

    private final Tracer tracer;
    private final long limitBytes;
    private final AtomicLong spentBytes = new AtomicLong();
    private final AtomicInteger actions = new AtomicInteger();
    private final AtomicInteger jobs = new AtomicInteger();
    private final AtomicInteger stages = new AtomicInteger();
    private final AtomicInteger driverGaps = new AtomicInteger();

    TraceBudget(Tracer tracer, long limitBytes) {
        this.tracer = tracer;
        this.limitBytes = limitBytes;
    }

    void charge(long bytes) {
        spentBytes.addAndGet(bytes);
    }

    boolean isSpent() {
        return spentBytes.get() >= limitBytes;
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
        summarized.put("budget_bytes", limitBytes);
        summarized.put("actions", actions.get());
        summarized.put("jobs", jobs.get());
        summarized.put("stages", stages.get());
        summarized.put("driver_code_gaps", driverGaps.get());
        tracer.root().putMetadata("spark", "summarized_beyond_budget", summarized);
    }
}
