package dev.xraybatch.agent.instrument.awssdk;

import dev.xraybatch.agent.export.ExportPipeline;
import dev.xraybatch.agent.trace.Entity;
import dev.xraybatch.agent.trace.Kind;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;


/**
 * What SDK v1 and v2 share once their hooks have read the SDK's objects: opening a call's subsegment under what
 * is current on the issuing thread, the X-Ray fields, the outcome flags, and closing it. SDK-agnostic: the
 * version-specific handlers pass plain values.
 */
final class AwsCallRecorder {
    static final String TRACE_HEADER = "X-Amzn-Trace-Id";

    private final int summaryAfter;

    AwsCallRecorder(int summaryAfter) {
        this.summaryAfter = summaryAfter;
    }

    /**
     * Opens the call's subsegment, or returns null for calls that are not recorded: no tracer, the agent's own
     * export thread, X-Ray's own operations (an application may carry an unrelocated X-Ray client).
     */
    AwsCall begin(String service, String operation) {
        return begin(service, operation, null);
    }

    /**
     * {@link #begin(String, String)} under {@code parent} when it is given (the S3 transfer a call of the multipart
     * client belongs to, whatever thread issues it), else under what is current on the issuing thread.
     */
    AwsCall begin(String service, String operation, Entity parent) {
        Tracer tracer = Tracer.get();
        if (tracer == null || service == null || operation == null || isOwnTraffic(service, operation)) {
            return null;
        }
        if (parent == null) {
            return beginUnderCurrent(tracer, service, operation);
        }
        Object before = tracer.attach(parent);
        try {
            return beginUnderCurrent(tracer, service, operation);
        } finally {
            tracer.detach(before);
        }
    }

    private AwsCall beginUnderCurrent(Tracer tracer, String service, String operation) {
        Entity parent = tracer.current();
        // Per (service, operation) under one parent: past the limit, calls only count into a summary.
        Subsegment s = tracer.beginLimited(service + " " + operation, summaryAfter);
        if (!s.isSummarizedCall()) {
            s.setName(service);
            s.setKind(Kind.AWS_CALL);
            // Async calls end on other threads, and the issuing thread goes on with other work: the call must not
            // stay current here. Sync calls do the same, so both record alike.
            tracer.detach(parent);
        }
        s.setNamespace("aws");
        s.putAws("operation", operation);
        return new AwsCall(s, parent, service, operation);
    }

    static boolean isOwnTraffic(String service, String operation) {
        if (ExportPipeline.WORKER_THREAD_NAME.equals(Thread.currentThread().getName())) {
            return true;
        }
        // Every call passes here: compare without allocating a lower-case copy.
        return (service.equalsIgnoreCase("xray") || service.equalsIgnoreCase("awsxray"))
                && (operation.equals("PutTraceSegments") || operation.equals("GetSamplingRules")
                || operation.equals("GetSamplingTargets") || operation.equals("PutTelemetryRecords"));
    }

    /**
     * The size of what the call sends (an S3 upload's object), from the request's headers: the decoded length where
     * the SDK streams in signed chunks, else Content-Length. Absent or malformed means unknown: nothing is recorded.
     */
    static void requestLength(AwsCall call, String decodedContentLength, String contentLength) {
        long length = parseLength(decodedContentLength != null ? decodedContentLength : contentLength);
        if (length > 0) {
            call.subsegment.putHttp("request", "content_length", length);
        }
    }

    static long parseLength(String header) {
        if (header == null) {
            return -1L;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    /** Fields of the response, whether the call succeeded or not; zero or null means unknown. */
    static void response(AwsCall call, int status, long contentLength, String requestId, String id2) {
        Subsegment s = call.subsegment;
        if (status > 0) {
            s.putHttp("response", "status", status);
        }
        if (contentLength >= 0) {
            s.putHttp("response", "content_length", contentLength);
        }
        if (requestId != null && !requestId.isEmpty() && !"UNKNOWN".equals(requestId)) {
            s.putAws("request_id", requestId);
        }
        if (id2 != null && !id2.isEmpty()) {
            s.putAws("id_2", id2);
        }
    }

    /**
     * Marks the outcome of a failed call, as the X-Ray SDKs do: 429 or a throttling error sets {@code throttle}
     * (with {@code error}), 4xx {@code error}, 5xx {@code fault}; no response at all (I/O, timeout) is a fault.
     *
     * @param remote the service answered (the exception came from the other side)
     */
    static void failure(AwsCall call, Throwable error, int status, boolean throttling, boolean remote) {
        Subsegment s = call.subsegment;
        if (throttling || status == 429) {
            s.markThrottle();
        }
        if (status >= 500) {
            s.markFault();
        } else if (status >= 400) {
            s.markError();
        } else if (!remote) {
            s.markFault();
        }
        if (error != null) {
            s.recordException(error, remote);
        }
    }

    /** Ends the call; retries are the attempts past the first. */
    static void end(AwsCall call) {
        Tracer tracer = Tracer.get();
        if (tracer == null) {
            return;
        }
        int attempts = call.attempts;
        call.subsegment.putAws("retries", Math.max(0, attempts - 1));
        tracer.end(call.subsegment, null);
    }
}
