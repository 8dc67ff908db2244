package dev.xraybatch.agent.trace;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Statistics of the calls of one name under one parent past the name's limit: a method called a million times
 * becomes one summary subsegment, not a million. Guarded by its own monitor; calls end on any thread.
 */
final class CallSummary {
    final int limit;
    long count;
    long errors;
    long faults;
    long throttles;
    long totalMicros;
    long minMicros = Long.MAX_VALUE;
    long maxMicros;
    long firstStartMicros;
    long lastEndMicros;
    /** Sum of the calls' {@code http.response.content_length} (AWS SDK calls), 0 when none had one. */
    long bytes;
    /** The slowest call's own fields (annotations, aws, http), so its request id or argument stays visible. */
    Map<String, Object> slowest;

    CallSummary(int limit) {
        this.limit = limit;
    }

    synchronized void add(Subsegment call) {
        long start = call.startMicros;
        long end = call.endMicros;
        long duration = Math.max(0L, end - start);
        if (count == 0 || start < firstStartMicros) {
            firstStartMicros = start;
        }
        lastEndMicros = Math.max(lastEndMicros, end);
        count++;
        totalMicros += duration;
        minMicros = Math.min(minMicros, duration);
        boolean error;
        boolean fault;
        boolean throttle;
        synchronized (call) {
            error = call.error;
            fault = call.fault;
            throttle = call.throttle;
            Object length = call.httpResponse == null ? null : call.httpResponse.get("content_length");
            if (length instanceof Number) {
                bytes += ((Number) length).longValue();
            }
        }
        if (error) {
            errors++;
        }
        if (fault) {
            faults++;
        }
        if (throttle) {
            throttles++;
        }
        // Strictly slower: hot calls often tie (0 us), and describing each tie would allocate on every call.
        if (duration > maxMicros || slowest == null) {
            maxMicros = duration;
            slowest = describe(call, start, duration);
        }
    }

    private static Map<String, Object> describe(Subsegment call, long start, long duration) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("start_time", start / 1e6);
        d.put("duration_ms", duration / 1000.0);
        synchronized (call) {
            if (call.annotations != null) {
                d.put("annotations", new LinkedHashMap<>(call.annotations));
            }
            if (call.aws != null) {
                d.put("aws", new LinkedHashMap<>(call.aws));
            }
            if (call.httpResponse != null) {
                d.put("http_response", new LinkedHashMap<>(call.httpResponse));
            }
            if (call.cause != null) {
                d.put("exception", call.cause.describeFirst());
            }
            if (call.metadata != null) {
                d.put("metadata", new LinkedHashMap<>(call.metadata));
            }
        }
        return d;
    }

    /** The summary as metadata ({@code xray_batch.summary}), the shape the timeline reads. */
    synchronized Map<String, Object> toMetadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("limit", limit);
        m.put("count", count);
        m.put("errors", errors);
        m.put("faults", faults);
        m.put("throttles", throttles);
        m.put("total_ms", totalMicros / 1000.0);
        m.put("min_ms", count == 0 ? 0.0 : minMicros / 1000.0);
        m.put("max_ms", maxMicros / 1000.0);
        m.put("bytes", bytes);
        if (slowest != null) {
            m.put("slowest", slowest);
        }
        return m;
    }

    synchronized boolean hasErrors() {
        return errors > 0;
    }

    synchronized boolean hasFaults() {
        return faults > 0;
    }

    synchronized boolean hasThrottles() {
        return throttles > 0;
    }

    synchronized long lastEnd() {
        return lastEndMicros;
    }
}
