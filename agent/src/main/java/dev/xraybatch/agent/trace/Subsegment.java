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
    /** For a summarized call: the summary it is counted into; it is in no tree. */
    final Subsegment summaryTarget;
    /** For a summary: its statistics. */
    final CallSummary summary;
    /** Registered with {@link Tracer#shareAsParent}, until it ends. */
    volatile boolean sharedAsParent;
    /** What was current on the opening thread before this one, restored when it ends on that thread. */
    Entity previousCurrent;

    Subsegment(TraceTree tree, Entity parent, String name, long startMicros) {
        this(tree, parent, name, startMicros, null, null, null);
    }

    private Subsegment(TraceTree tree, Entity parent, String name, long startMicros, String detachedParentId,
                       Subsegment summaryTarget, CallSummary summary) {
        super(tree, parent, name, startMicros);
        this.detachedParentId = detachedParentId;
        this.summaryTarget = summaryTarget;
        this.summary = summary;
    }

    static Subsegment detached(TraceTree tree, String parentId, String name, long startMicros) {
        return new Subsegment(tree, null, name, startMicros, parentId, null, null);
    }

    static Subsegment summarizedCall(Subsegment summaryTarget, long startMicros) {
        return new Subsegment(summaryTarget.tree, summaryTarget.parent, summaryTarget.rawName(), startMicros, null,
                summaryTarget, null);
    }

    static Subsegment summaryOf(TraceTree tree, Entity parent, String name, long startMicros, int limit) {
        Subsegment summary = new Subsegment(tree, parent, name, startMicros, null, null, new CallSummary(limit));
        summary.kind = Kind.CALL_SUMMARY;
        return summary;
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
