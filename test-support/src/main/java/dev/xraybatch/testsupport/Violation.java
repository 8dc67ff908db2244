package dev.xraybatch.testsupport;

/**
 * Something the agent sent that X-Ray would reject, silently drop, or that breaks the published schema.
 * A test asserts {@code endpoint.violations()} is empty (or {@code endpoint.assertNoViolations()}).
 *
 * @param source    which check found it
 * @param errorCode the ErrorCode returned in {@code UnprocessedTraceSegments}, or the error type of a rejected call;
 *                  {@code null} when the endpoint accepted the document anyway (X-Ray drops the part silently, or only
 *                  the schema objects)
 * @param traceId   trace of the document, when known
 * @param id        id of the document, when known
 * @param message   what is wrong, naming the field
 * @param document  the offending document as sent (or a summary of the call for call-level problems)
 */
public record Violation(Source source, String errorCode, String traceId, String id, String message, String document) {

    /** Which check found a violation. */
    public enum Source {
        /** The HTTP call itself: signature, body shape, document count. */
        CALL,
        /** X-Ray's documented rules for one document or a trace (see xray-protocol.md). */
        PROTOCOL,
        /** xray-segment-schema-v1.0.0.json (draft-04), without its known-wrong {@code cause} part. */
        SCHEMA
    }

    /** True when the endpoint answered this document as unprocessed (or refused the call). */
    public boolean rejected() {
        return errorCode != null;
    }

    @Override
    public String toString() {
        String where = id == null ? "" : " id=" + id + (traceId == null ? "" : " trace=" + traceId);
        String code = errorCode == null ? "accepted" : errorCode;
        String shownDocument = document == null || document.length() <= 400 ? document : document.substring(0, 400) + "...";
        return source + " [" + code + "]" + where + ": " + message + (shownDocument == null ? "" : "\n    " + shownDocument);
    }
}
