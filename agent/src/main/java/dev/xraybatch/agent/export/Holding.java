package dev.xraybatch.agent.export;

import java.util.List;

/**
 * Decides when the documents of finished work leave and in which trace, for {@link ExportPipeline}: at once
 * ({@link ImmediateHolding}, for files), or held and sent in bursts ({@code export.burst.BurstPolicy}). Called on the
 * export worker only, so it needs no locking; it never blocks and never throws.
 */
public interface Holding {

    /** What a holding hands its documents to, and tells about the ones it makes and discards. */
    interface Outbox {
        /** Queues a document for sending, in order; documents of one trace go out in calls of their own. */
        void send(Outgoing document);

        /** {@code documents} new documents were rendered (held now, or sent through {@link #send}). */
        void rendered(int documents);

        /** Held documents were left out to keep a trace within its budget, holding {@code entities} entities. */
        void leftOut(int documents, int entities);

        /** Held documents were replaced by new renderings of the same work (counted by {@link #rendered}). */
        void superseded(int documents);

        /** An item could not be rendered (an internal error, already logged): it is counted as dropped. */
        void renderFailed();
    }

    /** One item taken off the queue: rendered now, its documents sent through {@code out} now or later. */
    void accept(Emittable item, Outbox out);

    /**
     * Sends what is due at {@code nowMillis} (the holding's own clock); returns when the next thing falls due on
     * that clock, or {@link Long#MAX_VALUE}.
     */
    long release(long nowMillis, Outbox out);

    /** Sends everything still held: a flush, or the job's end. */
    void releaseAll(Outbox out);

    /**
     * The receiver took a call for {@code traceId} but refused some of its documents: returns those the holding
     * takes care of (sends again elsewhere through {@code out}); the others are counted as rejected.
     */
    List<Outgoing> refused(String traceId, List<Outgoing> documents, List<SendOutcome.Unprocessed> reasons,
                           Outbox out);

    /** The receiver took these documents of {@code traceId}. */
    void accepted(String traceId, List<Outgoing> documents);

    /** Forgets everything held: the exporter can never send (the pipeline counts it as dropped). */
    void discardAll();

    /** How long a partial batch waits for more documents before it goes. */
    long batchDelayMillis();

    /** Now, by the holding's clock (epoch milliseconds). */
    long nowMillis();
}
