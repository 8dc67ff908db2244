package dev.xraybatch.agent.export;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends every document as soon as its work is finished, in batches that wait {@code batchDelayMillis} for more:
 * for the file exporter (a local file has no quota, and what is written is what a {@code kill -9} cannot lose).
 * Nothing is left out; as a {@link TraceBudgetGauge} it counts what was written against the budget, so that Spark
 * summarizes its actions as it would for X-Ray.
 */
public final class ImmediateHolding implements Holding, TraceBudgetGauge {
    private final long batchDelayMillis;
    private final long budgetBytes;
    private final AtomicLong usedBytes = new AtomicLong();
    private final List<String> rendered = new ArrayList<>();
    private final Consumer<String> sink = new Consumer<String>() {
        @Override
        public void accept(String document) {
            if (document != null && !document.isEmpty()) {
                rendered.add(document);
            }
        }
    };

    public ImmediateHolding(long batchDelayMillis) {
        this(batchDelayMillis, Long.MAX_VALUE);
    }

    public ImmediateHolding(long batchDelayMillis, long budgetBytes) {
        this.batchDelayMillis = batchDelayMillis;
        this.budgetBytes = budgetBytes;
    }

    @Override
    public boolean isShort() {
        return budgetBytes != Long.MAX_VALUE && usedBytes.get() >= budgetBytes * 4 / 5;
    }

    @Override
    public void chargeEstimate(long bytes) {
        usedBytes.addAndGet(Math.max(0L, bytes));
    }

    @Override
    public long budgetBytes() {
        return budgetBytes;
    }

    @Override
    public void accept(Emittable item, Outbox out) {
        rendered.clear();
        try {
            item.render(sink);
        } catch (Throwable t) {
            // An item is rendered whole or not at all: a half-rendered segment would mislead.
            rendered.clear();
            dev.xraybatch.agent.log.AgentLog.internalError("rendering a trace document", t);
            out.renderFailed();
            return;
        }
        out.rendered(rendered.size());
        long bytes = 0L;
        for (String document : rendered) {
            out.send(new Outgoing(null, document, null));
            bytes += document.length();
        }
        usedBytes.addAndGet(bytes);
        rendered.clear();
    }

    @Override
    public long release(long nowMillis, Outbox out) {
        return Long.MAX_VALUE;
    }

    @Override
    public void releaseAll(Outbox out) {
    }

    @Override
    public List<Outgoing> refused(String traceId, List<Outgoing> documents, List<SendOutcome.Unprocessed> reasons,
                                  Outbox out) {
        return Collections.emptyList();
    }

    @Override
    public void accepted(String traceId, List<Outgoing> documents) {
    }

    @Override
    public void discardAll() {
    }

    @Override
    public long batchDelayMillis() {
        return batchDelayMillis;
    }

    @Override
    public long nowMillis() {
        return System.currentTimeMillis();
    }
}
