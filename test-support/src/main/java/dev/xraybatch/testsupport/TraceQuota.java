package dev.xraybatch.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * X-Ray's per-trace data quota, as far as it is known, and the bookkeeping {@link LocalXRayEndpoint} keeps to
 * apply it. X-Ray does not document fixed numbers; the model follows what AWS and a user measured:
 * <ul>
 *   <li>AWS knowledge center, "How do I resolve the trace quota error in X-Ray?"
 *       (https://repost.aws/knowledge-center/x-ray-trace-quota-error): the upper limit of a trace document "changes
 *       dynamically as per the number of segments that you send together": 500 KB for segments sent together in
 *       batches, 100 KB for individual segments sent with a time gap; "the slower you send a trace ... the more the
 *       trace splits into multiple revisions". Past the limit the console says "This trace has reached its maximum
 *       allocated quota" and BatchGetTraces returns the trace with {@code LimitExceeded: true} (a field of the
 *       API's Trace shape, https://docs.aws.amazon.com/xray/latest/api/API_Trace.html). What was accepted before
 *       the limit is kept.</li>
 *   <li>Flexera engineering blog, "Tips for Using AWS X-Ray Traces for Long-Running Requests"
 *       (https://community.flexera.com/t5/Flexera-Engineering-Blog/Tips-for-Using-AWS-X-Ray-Traces-for-Long-Running-Requests/ba-p/102430),
 *       third party: subsegments sent at a steady rate, "for any trace lasting more than six minutes, I could only
 *       send 14 KB before the trace was closed"; PutTraceSegments then answered {@code InvalidSegment},
 *       "refusing to add any more segments to the trace".</li>
 * </ul>
 * The model, per trace id:
 * <ul>
 *   <li>Bytes: the UTF-8 size of every accepted document as sent; every version of a re-sent document (in-progress
 *       then complete, updates) counts again, as each is a new revision for X-Ray.</li>
 *   <li>Bursts: a run of PutTraceSegments calls carrying documents of the trace, each at most {@link #BURST_GAP}
 *       after the previous one. Each burst after the first is a "revision" in AWS's words.</li>
 *   <li>Limit: {@link #limitBytes(int, Duration)}. The first document that would take the accepted bytes over the
 *       limit is refused and the trace is closed ("LimitExceeded"): it and every later document of the trace are
 *       answered {@code InvalidSegment}.</li>
 * </ul>
 * Bookkeeping costs one map entry per trace and O(1) per document. Not thread-safe: the endpoint guards it.
 */
public final class TraceQuota {

    /**
     * Calls of one trace at most this far apart belong to one burst. 10 s leaves room inside one burst for an
     * exporter's retries with backoff (the agent's exporter waits 100 ms doubling up to 5 s between attempts, the
     * SDK's default retries stay within a few seconds), while an exporter that trickles (a flush every minute, or
     * one per document with idle time between) makes a new burst with every call.
     */
    public static final Duration BURST_GAP = Duration.ofSeconds(10);

    /**
     * A trace whose documents came in at most this many bursts counts as "sent together in batches": a job that
     * sends its start (in-progress root), one big batch, and its end stays within it.
     */
    public static final int MAX_BURSTS_SENT_TOGETHER = 3;

    /** Limit for a trace sent together: the knowledge center's 500 KB, read as 500,000 bytes (the stricter KB). */
    public static final long SENT_TOGETHER_LIMIT_BYTES = 500_000;

    /** Limit for a trace that trickles (more than {@link #MAX_BURSTS_SENT_TOGETHER} bursts): the knowledge center's 100 KB. */
    public static final long TRICKLE_LIMIT_BYTES = 100_000;

    /** Once a trickling trace is older than this (from its first accepted document), Flexera's limit applies. */
    public static final Duration LONG_TRICKLE_AGE = Duration.ofMinutes(6);

    /** Limit for a trickling trace older than {@link #LONG_TRICKLE_AGE}: Flexera's 14 KB, as 14,000 bytes. */
    public static final long LONG_TRICKLE_LIMIT_BYTES = 14_000;

    /** The console's words for a closed trace; every refusal message carries them. */
    public static final String LIMIT_EXCEEDED_MESSAGE = "This trace has reached its maximum allocated quota";

    /** The ErrorCode of a document refused for the quota, as the Flexera post saw it. */
    public static final String ERROR_CODE = DocumentRules.INVALID_SEGMENT;

    /**
     * The limit of a trace's accepted bytes.
     *
     * @param bursts bursts so far, counting the current one
     * @param age    now minus the trace's first accepted document
     */
    public static long limitBytes(int bursts, Duration age) {
        if (bursts <= MAX_BURSTS_SENT_TOGETHER) {
            return SENT_TOGETHER_LIMIT_BYTES;
        }
        return age.compareTo(LONG_TRICKLE_AGE) > 0 ? LONG_TRICKLE_LIMIT_BYTES : TRICKLE_LIMIT_BYTES;
    }

    /**
     * What the endpoint knows of one trace's quota, as of {@code asOf}.
     *
     * @param traceId          the trace
     * @param acceptedBytes    UTF-8 bytes of every accepted document, every version counted
     * @param acceptedDocuments documents accepted
     * @param bursts           bursts of PutTraceSegments calls that carried documents of the trace
     * @param firstAccepted    when its first document was accepted (endpoint clock), null if none was
     * @param lastCall         when the last call carrying its documents arrived (endpoint clock)
     * @param limitBytes       the limit that applies now (reported also while the quota is not enforced)
     * @param limitExceeded    true once the trace is closed; never while the quota is not enforced
     * @param refusedDocuments documents refused for the quota (the one that closed the trace and all later ones)
     * @param asOf             the endpoint's time this was read at
     */
    public record Usage(String traceId, long acceptedBytes, int acceptedDocuments, int bursts, Instant firstAccepted,
                        Instant lastCall, long limitBytes, boolean limitExceeded, int refusedDocuments, Instant asOf) {

        /** Now minus the first accepted document; zero when none was accepted. */
        public Duration age() {
            return firstAccepted == null ? Duration.ZERO : Duration.between(firstAccepted, asOf);
        }

        /** More than {@link #MAX_BURSTS_SENT_TOGETHER} bursts. */
        public boolean trickles() {
            return bursts > MAX_BURSTS_SENT_TOGETHER;
        }
    }

    /** A document refused for the quota. */
    public record Refusal(String traceId, String id, int bytes, Usage usage, String message) {
    }

    private static final class TraceState {
        long acceptedBytes;
        int acceptedDocuments;
        int bursts;
        long lastCallNumber = -1;
        Instant lastCall;
        Instant firstAccepted;
        boolean closed;
        int refused;
    }

    private final boolean enforced;
    private final Map<String, TraceState> traces = new HashMap<>();
    private final List<Refusal> refusals = new ArrayList<>();

    TraceQuota(boolean enforced) {
        this.enforced = enforced;
    }

    boolean enforced() {
        return enforced;
    }

    /**
     * Registers that PutTraceSegments call number {@code call} carries this document of the trace (once per call
     * and trace, whatever the document's fate), then decides whether the document fits.
     *
     * @return null when it may be accepted (then call {@link #accepted}), else the refusal, already recorded
     */
    Refusal admit(String traceId, String id, int bytes, long call, Instant now) {
        TraceState trace = traces.computeIfAbsent(traceId, key -> new TraceState());
        if (trace.lastCallNumber != call) {
            if (trace.lastCall == null || Duration.between(trace.lastCall, now).compareTo(BURST_GAP) > 0) {
                trace.bursts++;
            }
            trace.lastCall = now;
            trace.lastCallNumber = call;
        }
        if (!enforced) {
            return null;
        }
        long limit = limitBytes(trace.bursts, age(trace, now));
        String reason;
        if (trace.closed) {
            reason = "the trace was closed earlier";
        } else if (trace.acceptedBytes + bytes > limit) {
            trace.closed = true;
            reason = "this document of " + bytes + " bytes would take it to " + (trace.acceptedBytes + bytes)
                    + " bytes, over its limit of " + limit;
        } else {
            return null;
        }
        trace.refused++;
        Usage usage = usage(traceId, trace, now);
        String message = LIMIT_EXCEEDED_MESSAGE + " (LimitExceeded): trace " + traceId + " has " + usage.acceptedBytes()
                + " bytes accepted in " + usage.bursts() + " burst(s) over " + usage.age().toSeconds() + " s; " + reason
                + ". X-Ray keeps what it accepted and refuses every later document of the trace.";
        Refusal refusal = new Refusal(traceId, id, bytes, usage, message);
        refusals.add(refusal);
        return refusal;
    }

    /** The document {@link #admit} let through was stored. */
    void accepted(String traceId, int bytes, Instant now) {
        TraceState trace = traces.get(traceId);
        trace.acceptedBytes += bytes;
        trace.acceptedDocuments++;
        if (trace.firstAccepted == null) {
            trace.firstAccepted = now;
        }
    }

    /** Null for a trace that no call carried a document of. */
    Usage usage(String traceId, Instant now) {
        TraceState trace = traces.get(traceId);
        return trace == null ? null : usage(traceId, trace, now);
    }

    /** 0 for a trace that no call carried a document of. */
    int bursts(String traceId) {
        TraceState trace = traces.get(traceId);
        return trace == null ? 0 : trace.bursts;
    }

    boolean limitExceeded(String traceId) {
        TraceState trace = traces.get(traceId);
        return trace != null && trace.closed;
    }

    List<Refusal> refusals() {
        return List.copyOf(refusals);
    }

    List<String> closedTraceIds() {
        return refusals.stream().map(Refusal::traceId).distinct().toList();
    }

    void clear() {
        traces.clear();
        refusals.clear();
    }

    private static Usage usage(String traceId, TraceState trace, Instant now) {
        return new Usage(traceId, trace.acceptedBytes, trace.acceptedDocuments, trace.bursts, trace.firstAccepted,
                trace.lastCall, limitBytes(trace.bursts, age(trace, now)), trace.closed, trace.refused, now);
    }

    private static Duration age(TraceState trace, Instant now) {
        return trace.firstAccepted == null ? Duration.ZERO : Duration.between(trace.firstAccepted, now);
    }
}
