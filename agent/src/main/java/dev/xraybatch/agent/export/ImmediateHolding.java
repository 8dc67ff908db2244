package dev.xraybatch.agent.export;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends every document as soon as its work is finished, in batches that wait {@code batchDelayMillis} for more:
 * for the file exporter (a local file has no quota, and what is written is what a {@code kill -9} cannot lose).
 * Finished work still held in the tracer's trees (under an open parent, below the tracer's 100 to stream) is asked
 * for every {@link #CUT_EVERY_MILLIS}, so that it is written within about a second (with the batch wait).
 * Nothing is left out; as a {@link TraceBudgetGauge} it counts what was written against the budget, so that Spark
 * summarizes its actions as it would for X-Ray.
 */
public final class ImmediateHolding implements Holding, TraceBudgetGauge {
    /** How often the job's trace is asked to hand over its finished work. */
    static final long CUT_EVERY_MILLIS = 500L;

    private final long batchDelayMillis;
    private volatile JobTrace job;
    private long nextCutMillis = Long.MIN_VALUE;
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

    /** The trace side of this JVM's job, whose finished work is handed over every second. */
    public void attach(JobTrace jobTrace) {
        this.job = jobTrace;
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
        JobTrace trace = job;
        if (trace == null) {
            return Long.MAX_VALUE;
        }
        if (nowMillis >= nextCutMillis) {
            nextCutMillis = nowMillis + CUT_EVERY_MILLIS;
            try {
                trace.cutFinished();
            } catch (RuntimeException e) {
                dev.xraybatch.agent.log.AgentLog.internalError("handing over finished work", e);
            }
        }
        return nextCutMillis;
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
