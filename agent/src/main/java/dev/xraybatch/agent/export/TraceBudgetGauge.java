package dev.xraybatch.agent.export;

/**
 * The trace budget as instrumentation sees it, from any thread: whether the trace the job's details go to now is
 * running short, and a way to charge documents that other JVMs will send into it (a Spark driver charges its
 * executors' summaries by estimate). Cheap: a few atomic reads.
 */
public interface TraceBudgetGauge {
    /** A gauge that never runs short: no budget (local files, tests). */
    TraceBudgetGauge UNLIMITED = new TraceBudgetGauge() {
        @Override
        public boolean isShort() {
            return false;
        }

        @Override
        public void chargeEstimate(long bytes) {
        }

        @Override
        public long budgetBytes() {
            return Long.MAX_VALUE;
        }
    };

    /** True when the current trace has used most of its budget: new work should be summarized. */
    boolean isShort();

    /** Counts bytes that another JVM will send into the current trace. */
    void chargeEstimate(long bytes);

    /** The budget of each trace, in bytes. */
    long budgetBytes();
}
