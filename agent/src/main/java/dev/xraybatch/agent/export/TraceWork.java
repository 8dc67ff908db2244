package dev.xraybatch.agent.export;

import java.util.List;

/**
 * Finished work of a job's trace, as the trace side hands it over: besides rendering itself as it is, it tells the
 * burst policy which run it belongs to and when it ended (its window), renders itself into any trace of the run
 * with less important parts left out, and names the entities above it so that a continuation trace that lacks
 * them can hold stand-ins. Rendering happens on the export worker only.
 */
public interface TraceWork extends Emittable {

    /** What part of the trace this is. */
    enum Role {
        /** A subsegment (and what it holds): goes to the trace of the window it ended in. */
        DETAIL,
        /** The job's root segment in progress, at start: sent at once, alone. */
        START_ROOT,
        /** The job's root segment, complete, at the job's end: the last thing the job's trace gets. */
        FINAL_ROOT
    }

    Role role();

    /** The run this belongs to. */
    RunInfo run();

    /** When its top entity ended (epoch microseconds); 0 for a root in progress. */
    long endMicros();

    /** Renders its documents into {@code placement}'s trace; see {@link Placement} for what may be left out. */
    void render(Placement placement, RenderedDocuments out);

    /**
     * The entities above this work in this JVM, nearest first, up to but without the run's root segment (each
     * continuation trace has a root of its own with the same id). It stops at a parent of another JVM (a Spark
     * executor's summary names the driver's stage): that JVM provides its stand-ins.
     */
    List<StubSource> parents();

    /**
     * For each entity in this work that other JVMs name as parent (a Spark stage, an action) and that started before
     * {@code startedBeforeMicros}: the entity and the entities above it, nearest first. A trace of a window that
     * such an entity crossed needs its stand-in for the other JVMs' work in it.
     */
    List<List<StubSource>> sharedChains(long startedBeforeMicros);

    /** An entity a trace may need a stand-in for: a document with its id, marked as continued. */
    interface StubSource {
        /** Its id (64 bits; the document's id in hex). */
        long id();

        /**
         * The stand-in's document in {@code traceId}: in progress (the entity continues elsewhere; should its own
         * complete document arrive in the same trace, it completes the stand-in), shown from {@code fromMicros} or
         * its own later start, marked {@code xray_batch.continued}.
         */
        String stub(String traceId, long fromMicros);
    }
}
