package dev.xraybatch.testsupport;

/**
 * One HTTP call the endpoint received, in arrival order.
 *
 * @param status         HTTP status it answered with
 * @param errorType      the {@code x-amzn-ErrorType} it answered with, or {@code null} on success
 * @param documents      number of documents in the call's body (0 when the body could not be read)
 * @param unprocessed    number of documents answered as {@code UnprocessedTraceSegments}
 * @param injected       true when the answer came from fault injection rather than from the checks
 */
public record Call(int status, String errorType, int documents, int unprocessed, boolean injected) {
}
