package dev.xraybatch.agent.trace;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Statistics of the calls of one name under one parent past the name's limit, within one window of the job
 * ({@code long_jobs.window_s}): a method called a million times becomes one summary subsegment per window, not a
 * million. Calls end on any thread, many at once through one hot method: the counts are striped
 * ({@link LongAdder}, {@link LongAccumulator}), so that adding a call takes no lock; only a call slower than every
 * one before it takes this summary's monitor, to describe itself.
 */
final class CallSummary {
    /** How many failed calls of one name and window are kept in full (with their cause) besides being counted. */
    static final int FAILED_KEPT = 10;

    final int limit;
    /** The end of the window whose calls this summary counts (epoch milliseconds); MAX_VALUE: the whole job. */
    final long windowEndMillis;
    private final LongAdder count = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder faults = new LongAdder();
    private final LongAdder throttles = new LongAdder();
    private final LongAdder totalMicros = new LongAdder();
    /** Sum of the calls' {@code http.response.content_length}: what they received, 0 when none said. */
    private final LongAdder bytes = new LongAdder();
    /** Sum of the calls' {@code http.request.content_length}: what they sent (S3 uploads), 0 when none said. */
    private final LongAdder bytesSent = new LongAdder();
    private final LongAccumulator minMicros = new LongAccumulator(Math::min, Long.MAX_VALUE);
    private final LongAccumulator lastEndMicros = new LongAccumulator(Math::max, 0L);
    /** The slowest duration described so far; read without the monitor to skip the common, faster call. */
    private volatile long slowestMicros = -1L;
    /** The slowest call's own fields (annotations, aws, http), so its request id or argument stays visible. */
    private Map<String, Object> slowest;
    /** Failed calls kept in full so far (at most {@link #FAILED_KEPT}). */
    private final AtomicInteger failedKept = new AtomicInteger();

    CallSummary(int limit, long windowEndMillis) {
        this.limit = limit;
        this.windowEndMillis = windowEndMillis;
    }

    /** Counts an ended call; returns true when it failed and is one of the first {@link #FAILED_KEPT} to keep whole. */
    boolean add(Subsegment call) {
        long start = call.startMicros;
        long end = call.endMicros;
        long duration = Math.max(0L, end - start);
        count.increment();
        totalMicros.add(duration);
        minMicros.accumulate(duration);
        lastEndMicros.accumulate(end);
        boolean error;
        boolean fault;
        boolean throttle;
        // The call's own monitor: only this thread (or the one that handed the call over) ever takes it.
        synchronized (call) {
            error = call.error;
            fault = call.fault;
            throttle = call.throttle;
            Object length = call.httpResponse == null ? null : call.httpResponse.get("content_length");
            if (length instanceof Number) {
                bytes.add(((Number) length).longValue());
            }
            Object sent = call.httpRequest == null ? null : call.httpRequest.get("content_length");
            if (sent instanceof Number) {
                bytesSent.add(((Number) sent).longValue());
            }
        }
        if (error) {
            errors.increment();
        }
        if (fault) {
            faults.increment();
        }
        if (throttle) {
            throttles.increment();
        }
        // Strictly slower: hot calls often tie (0 us), and describing each tie would allocate on every call.
        if (duration > slowestMicros) {
            Map<String, Object> described = describe(call, start, duration);
            synchronized (this) {
                if (duration > slowestMicros) {
                    slowestMicros = duration;
                    slowest = described;
                }
            }
        }
        return (error || fault || throttle) && failedKept.get() < FAILED_KEPT
                && failedKept.incrementAndGet() <= FAILED_KEPT;
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
    Map<String, Object> toMetadata() {
        long calls = count.sum();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("limit", limit);
        m.put("count", calls);
        m.put("errors", errors.sum());
        m.put("faults", faults.sum());
        m.put("throttles", throttles.sum());
        m.put("total_ms", totalMicros.sum() / 1000.0);
        m.put("min_ms", calls == 0 ? 0.0 : minMicros.get() / 1000.0);
        m.put("max_ms", Math.max(0L, slowestMicros) / 1000.0);
        m.put("bytes", bytes.sum());
        m.put("bytes_sent", bytesSent.sum());
        int kept = Math.min(failedKept.get(), FAILED_KEPT);
        if (kept > 0) {
            m.put("failed_kept", kept);
        }
        Map<String, Object> slowestCall;
        synchronized (this) {
            slowestCall = slowest;
        }
        if (slowestCall != null) {
            m.put("slowest", slowestCall);
        }
        return m;
    }

    long count() {
        return count.sum();
    }

    boolean hasErrors() {
        return errors.sum() > 0;
    }

    boolean hasFaults() {
        return faults.sum() > 0;
    }

    boolean hasThrottles() {
        return throttles.sum() > 0;
    }

    long lastEnd() {
        return lastEndMicros.get();
    }
}
