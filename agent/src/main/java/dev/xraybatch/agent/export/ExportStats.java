package dev.xraybatch.agent.export;

/**
 * Exact counts of what the export side did, as an immutable snapshot.
 *
 * <p>Two kinds of drop are counted apart because items are rendered only on the worker: an item dropped before
 * rendering (queue full, still queued at the shutdown deadline, exporter unusable) is counted in
 * {@link #itemsDropped()} without knowing how many documents it would have made; a rendered document that was
 * never sent is counted in {@link #documentsDropped()}. What an unrendered item held is counted too, in segments and
 * subsegments ({@link #itemEntitiesDropped()}): one item may be a single call or the root with a hundred held
 * beneath it, depending on when the tracer handed it over.
 */
public final class ExportStats {
    private final long documentsSent;
    private final long sendsRetried;
    private final long documentsRejected;
    private final long documentsDropped;
    private final long itemsDropped;
    private final long itemEntitiesDropped;
    private final long quotaRefused;
    private final long leftOut;

    public ExportStats(long documentsSent, long sendsRetried, long documentsRejected, long documentsDropped,
            long itemsDropped) {
        this(documentsSent, sendsRetried, documentsRejected, documentsDropped, itemsDropped, itemsDropped, 0L, 0L);
    }

    public ExportStats(long documentsSent, long sendsRetried, long documentsRejected, long documentsDropped,
            long itemsDropped, long itemEntitiesDropped, long quotaRefused, long leftOut) {
        this.documentsSent = documentsSent;
        this.sendsRetried = sendsRetried;
        this.documentsRejected = documentsRejected;
        this.documentsDropped = documentsDropped;
        this.itemsDropped = itemsDropped;
        this.itemEntitiesDropped = itemEntitiesDropped;
        this.quotaRefused = quotaRefused;
        this.leftOut = leftOut;
    }

    /** Documents the receiver took. */
    public long documentsSent() {
        return documentsSent;
    }

    /** Send calls that repeated a batch after a transient failure. */
    public long sendsRetried() {
        return sendsRetried;
    }

    /** Documents the receiver refused one by one (X-Ray's unprocessed segments); never resent. */
    public long documentsRejected() {
        return documentsRejected;
    }

    /** Rendered documents never sent: a permanent error, the shutdown deadline, an unusable exporter. */
    public long documentsDropped() {
        return documentsDropped;
    }

    /** Items dropped before rendering: queue full, still queued at the shutdown deadline, exporter unusable. */
    public long itemsDropped() {
        return itemsDropped;
    }

    /** The segments and subsegments held by the items in {@link #itemsDropped()}. */
    public long itemEntitiesDropped() {
        return itemEntitiesDropped;
    }

    /**
     * Documents X-Ray refused because their trace had reached its quota, and that were sent on to a continuation
     * trace (each copy is counted again where it ended up).
     */
    public long quotaRefused() {
        return quotaRefused;
    }

    /** Subsegments left out to keep a trace within its budget (counted by kind in that trace's root). */
    public long leftOut() {
        return leftOut;
    }

    /** True when nothing was rejected or dropped. */
    public boolean nothingLost() {
        return documentsRejected == 0 && documentsDropped == 0 && itemsDropped == 0;
    }

    /** For the closing log line. */
    @Override
    public String toString() {
        String counts = "sent " + documentsSent + " documents, retried " + sendsRetried + " sends, rejected "
                + documentsRejected + " documents, dropped " + documentsDropped + " documents and "
                + itemsDropped + " unrendered items";
        if (itemsDropped > 0) {
            counts += " (holding " + itemEntitiesDropped + " segments and subsegments)";
        }
        if (leftOut > 0) {
            counts += "; left out " + leftOut + " subsegments beyond the trace budget";
        }
        if (quotaRefused > 0) {
            counts += "; " + quotaRefused + " documents refused over a trace's quota went to a continuation trace";
        }
        return counts;
    }
}
