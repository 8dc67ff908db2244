package dev.xraybatch.agent.instrument.awssdk;

import dev.xraybatch.agent.trace.Entity;
import dev.xraybatch.agent.trace.Subsegment;

/** One SDK call in flight: its subsegment (or summarized call), where it was issued, and its attempts so far. */
final class AwsCall {
    final Subsegment subsegment;
    final Entity parent;
    final String service;
    final String operation;
    /** Attempts sent; the SDK calls its per-attempt hook on one thread at a time, so a volatile is enough. */
    volatile int attempts;

    AwsCall(Subsegment subsegment, Entity parent, String service, String operation) {
        this.subsegment = subsegment;
        this.parent = parent;
        this.service = service;
        this.operation = operation;
    }

    /** {@code X-Amzn-Trace-Id} for the outgoing request: the downstream service joins under this call. */
    String traceHeader() {
        // A summarized call has no document of its own: name the parent it is counted under.
        String parentId = subsegment.isSummarizedCall() ? parent.id() : subsegment.id();
        return "Root=" + parent.traceId() + ";Parent=" + parentId + ";Sampled=1";
    }
}
