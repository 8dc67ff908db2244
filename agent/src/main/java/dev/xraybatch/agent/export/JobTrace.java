package dev.xraybatch.agent.export;

import java.util.Map;

/**
 * What the burst policy asks of the trace side about the job as a whole, on the export worker: to hand over the
 * finished work it still holds, and the root segment's documents for the job's trace and its continuation traces.
 */
public interface JobTrace {
    /** This JVM's own run (its root segment may be local: {@link RunInfo#rootHere}). */
    RunInfo run();

    /**
     * Hands every finished subtree still held under work in progress to export now (through the usual hand-off),
     * so that what ended in a window goes out with that window. Safe to call from the export worker.
     */
    void cutFinished();

    /**
     * For each entity that work of other JVMs names as parent (a Spark stage, an action) and that is open now or was
     * open at the last {@link #cutFinished}: the entity and the entities above it, nearest first. A window's trace
     * holds stand-ins of them, as other JVMs' work in it may name them while they are open. One that ended between
     * the cut and the burst counts: it ended after the window, and no later window holds it yet.
     */
    java.util.List<java.util.List<TraceWork.StubSource>> openSharedChains();

    /** The job's root segment, in progress, without its subsegments, with {@code xrayBatch} as its agent metadata. */
    String inProgressRoot(Map<String, Object> xrayBatch);

    /**
     * The root segment of a continuation trace of {@code run}: the job's name and identity, the root's id, the
     * window's times (in progress from {@code startMicros} when {@code endMicros} is 0: the job's final root may still
     * come into this trace and complete it), annotations {@code xray_batch_run} and {@code xray_batch_part}, and
     * {@code xrayBatch} as its agent metadata.
     */
    String partRoot(RunInfo run, String traceId, int part, long startMicros, long endMicros,
                    Map<String, Object> xrayBatch);
}
