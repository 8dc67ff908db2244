package dev.xraybatch.agent.export.burst;

import dev.xraybatch.agent.export.SendOutcome;

import java.util.Locale;

/**
 * Recognises X-Ray's own word that a trace is over its quota. X-Ray refuses such documents one by one
 * ({@code UnprocessedTraceSegments}, error code {@code InvalidSegment}) and its console says "This trace has
 * reached its maximum allocated quota"; BatchGetTraces marks the trace {@code LimitExceeded}. An
 * {@code InvalidSegment} without those words is taken for a quota refusal only when BatchGetTraces confirms it: a
 * real defect of one document must stay a refusal of that document, not close its whole trace.
 */
final class QuotaWord {
    static final String INVALID_SEGMENT = "InvalidSegment";

    private QuotaWord() {
    }

    /** True when the refusal itself says the trace reached its quota. */
    static boolean saysOverQuota(SendOutcome.Unprocessed refusal) {
        String message = refusal.message();
        if (message == null) {
            return false;
        }
        String lower = message.toLowerCase(Locale.ROOT);
        return lower.contains("quota") || lower.contains("limitexceeded") || lower.contains("limit exceeded");
    }

    /** An {@code InvalidSegment} refusal that does not say why: perhaps the quota, which BatchGetTraces can tell. */
    static boolean mayBeOverQuota(SendOutcome.Unprocessed refusal) {
        return INVALID_SEGMENT.equals(refusal.errorCode());
    }
}
