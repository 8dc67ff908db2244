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
     * continuation trace has a root of its own with the same id). The last may be known by id only: work of
     * another JVM (a Spark executor's summary names the driver's stage).
     */
    List<StubSource> parents();

    /** An entity a continuation trace may need a stand-in for: a document with its id, marked as continued. */
    interface StubSource {
        /** Its id (64 bits; the document's id in hex). */
        long id();

        /** The id its stand-in names as parent: the next entity up, or the run's root. */
        long parentId();

        /**
         * The stand-in's document in {@code traceId}, shown from {@code fromMicros} (or its own later start):
         * complete and ending at {@code cutMicros} when this JVM knows the entity (it sends the entity itself into
         * exactly one trace, never into the one holding the stand-in), in progress when it is another JVM's (its
         * complete document, if it arrives in the same trace, wins over one in progress).
         */
        String stub(String traceId, long fromMicros, long cutMicros);
    }
}
