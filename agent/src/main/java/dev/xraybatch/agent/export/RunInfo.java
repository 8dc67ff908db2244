package dev.xraybatch.agent.export;

/**
 * One run of a job as export sees it: the job's trace (the one the agent names on stderr at start), the id of its
 * root segment, and the windows its details are cut into. Every JVM of the job (a Spark driver and its executors)
 * holds the same values, so each arrives at the same continuation traces without a message.
 */
public final class RunInfo {
    /** The job's trace: window 0's details and the job's root segment go here. */
    public final String traceId;
    /** The job's root segment id (16 hex); each continuation trace's root has the same id. Null when unknown. */
    public final String rootId;
    /** When the job started (epoch milliseconds): windows count from here. */
    public final long startMillis;
    /** Length of a window; 0: no windows, every detail goes to {@link #traceId} when the job ends. */
    public final long windowMillis;
    /** True in the JVM that owns the root segment (it sends the roots of the continuation traces). */
    public final boolean rootHere;

    public RunInfo(String traceId, String rootId, long startMillis, long windowMillis, boolean rootHere) {
        if (traceId == null) {
            throw new IllegalArgumentException("traceId is required");
        }
        this.traceId = traceId;
        this.rootId = rootId;
        this.startMillis = startMillis;
        this.windowMillis = Math.max(0L, windowMillis);
        this.rootHere = rootHere;
    }

    /** The window a moment (epoch milliseconds) falls in: 0 before the end of the first window. */
    public int windowOf(long epochMillis) {
        if (windowMillis <= 0L || epochMillis < startMillis) {
            return 0;
        }
        long window = (epochMillis - startMillis) / windowMillis;
        return window > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) window;
    }

    /** Where window {@code window} begins (epoch milliseconds). */
    public long windowStart(int window) {
        return startMillis + window * windowMillis;
    }

    /** Where window {@code window} ends (epoch milliseconds); {@link Long#MAX_VALUE} without windows. */
    public long windowEnd(int window) {
        return windowMillis <= 0L ? Long.MAX_VALUE : startMillis + (window + 1L) * windowMillis;
    }

    @Override
    public String toString() {
        return "run " + traceId + " (root " + rootId + ", windows of " + windowMillis + " ms from " + startMillis
                + (rootHere ? ", root here)" : ")");
    }
}
