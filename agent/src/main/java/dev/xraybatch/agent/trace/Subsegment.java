package dev.xraybatch.agent.trace;

/**
 * A unit of work under the job's root segment (or, when detached, under an entity of another JVM, such as the
 * Spark driver's stage seen from an executor).
 *
 * <p>Three kinds share this class so that callers hold one type: a normal subsegment in the tree; a
 * <em>summarized call</em>, past its name's limit, which is only timed into {@link #summaryTarget}; and the
 * <em>summary</em> itself, which carries the {@link CallSummary} of those calls.
 */
public final class Subsegment extends Entity {
    /** For a detached subsegment: the id of its parent in another tree (another JVM, or a listener's view). */
    final String detachedParentId;
    /** For a summarized call: the limit whose summary (of the window it ends in) counts it; it is in no tree. */
    final Entity.NameLimit summaryTarget;
    /** For a summary: its statistics. */
    final CallSummary summary;
    /** Registered with {@link Tracer#shareAsParent}, until it ends. */
    volatile boolean sharedAsParent;
    /** What was current on the opening thread before this one, restored when it ends on that thread. */
    Entity previousCurrent;
    /**
     * A framework's phase (a Spring Batch step): the watched thread's time in it that no child explains is sampled
     * as the root's is, and the stretches go beneath it. Set before it becomes current.
     */
    volatile boolean sampledInside;
    /** For async work: true once the work is done, though what ends this subsegment may not have run yet. */
    volatile java.util.function.BooleanSupplier doneProbe;
    /** Children with a {@link #doneProbe}, ended with this one if done by then: see {@link Tracer#endsWhenDone}. */
    java.util.List<Subsegment> probedChildren;
    /** Guarded by this: an end is on its way (async work whose end two threads may race for). */
    private boolean endClaimed;

    Subsegment(TraceTree tree, Entity parent, String name, long startMicros) {
        this(tree, parent, name, startMicros, null, null, null);
    }

    private Subsegment(TraceTree tree, Entity parent, String name, long startMicros, String detachedParentId,
                       Entity.NameLimit summaryTarget, CallSummary summary) {
        super(tree, parent, name, startMicros);
        this.detachedParentId = detachedParentId;
        this.summaryTarget = summaryTarget;
        this.summary = summary;
    }

    /** True for the one caller that may end this subsegment of async work: see {@link Tracer#endOnce}. */
    synchronized boolean claimEnd() {
        if (endClaimed) {
            return false;
        }
        endClaimed = true;
        return true;
    }

    static Subsegment detached(TraceTree tree, String parentId, String name, long startMicros) {
        return new Subsegment(tree, null, name, startMicros, parentId, null, null);
    }

    /** A call past its limit, in no tree; its name is only kept for the case it fails and is kept whole. */
    static Subsegment summarizedCall(TraceTree tree, Entity parent, Entity.NameLimit limit, String name,
                                     long startMicros) {
        return new Subsegment(tree, parent, name, startMicros, null, limit, null);
    }

    static Subsegment summaryOf(TraceTree tree, Entity parent, String name, long startMicros, int limit,
                                long windowEndMillis) {
        Subsegment summary = new Subsegment(tree, parent, name, startMicros, null, null,
                new CallSummary(limit, windowEndMillis));
        summary.kind = Kind.CALL_SUMMARY;
        return summary;
    }

    /**
     * A failed call past its limit, kept in full beside its summary: a subsegment of the tree with the call's
     * times, flags, cause and fields. Closed; the caller attaches it and hands it to the tree.
     */
    static Subsegment keptWhole(Subsegment call) {
        Subsegment kept = new Subsegment(call.tree, call.parent, call.rawName(), call.startMicros);
        kept.kind = call.kind;
        synchronized (call) {
            kept.namespace = call.namespace;
            kept.error = call.error;
            kept.fault = call.fault;
            kept.throttle = call.throttle;
            kept.cause = call.cause;
            kept.annotations = call.annotations;
            kept.metadata = call.metadata;
            kept.aws = call.aws;
            kept.httpRequest = call.httpRequest;
            kept.httpResponse = call.httpResponse;
            kept.sql = call.sql;
        }
        kept.endMicros = call.endMicros;
        kept.closed = true;
        return kept;
    }

    /** True for a call past its limit: it has no document of its own. */
    public boolean isSummarizedCall() {
        return summaryTarget != null;
    }

    public boolean isSummary() {
        return summary != null;
    }

    /** For events whose end comes from elsewhere (Spark listener times); call before {@link Tracer#end}. */
    public void setEndMicros(long micros) {
        this.endMicros = micros;
    }

    /** A summary counts as failed when one of its calls failed. */
    @Override
    synchronized int level() {
        int level = super.level();
        if (summary != null && level > Kind.FAILED_LEVEL && (summary.hasErrors() || summary.hasFaults())) {
            return Kind.FAILED_LEVEL;
        }
        return level;
    }

    /** The id of the parent as a document names it: in this tree, or in another (detached). */
    String parentIdForDocument() {
        return parent != null ? parent.id() : detachedParentId;
    }

    @Override
    boolean isSegment() {
        return false;
    }
}
