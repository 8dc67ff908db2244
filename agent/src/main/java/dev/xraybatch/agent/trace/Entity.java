package dev.xraybatch.agent.trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What segments and subsegments share: name, id, times, the X-Ray fields, and the children still held in memory.
 *
 * <p>Two locks, each held briefly: the entity's own monitor guards its fields (annotations, flags, maps); the
 * trace's {@link TraceTree} monitor guards the tree's shape (children lists, open counts, what has been emitted).
 * An entity that has been emitted is frozen: the export worker renders it without locks.
 */
public abstract class Entity {
    static final int MAX_ANNOTATIONS = 50;

    final TraceTree tree;
    final Entity parent;
    private long id;
    private String name;
    volatile long startMicros;
    volatile long endMicros;
    /** Ended: no more changes to its fields. Set after {@link #endMicros}. */
    volatile boolean closed;
    /**
     * What it is, for the trace budget; set by the instrumentation that creates it, on the creating thread, before
     * the entity is handed over (the hand-off publishes it: no volatile store on the hot path).
     */
    Kind kind;

    // Guarded by this.
    String namespace;
    boolean error;
    boolean throttle;
    boolean fault;
    Map<String, Object> annotations;
    Map<String, Map<String, Object>> metadata;
    Map<String, Object> aws;
    Map<String, Object> httpRequest;
    Map<String, Object> httpResponse;
    Map<String, Object> sql;
    CauseRecord cause;

    /** Limit counters of its children by limit key; created under the tree's monitor, read without it. */
    volatile ConcurrentHashMap<String, NameLimit> childLimits;

    // Guarded by tree.
    List<Subsegment> children;
    boolean emitted;

    Entity(TraceTree tree, Entity parent, String name, long startMicros) {
        this.tree = tree;
        this.parent = parent;
        // Sanitized when read (on the export worker), not here on the application's thread.
        this.name = name;
        this.startMicros = startMicros;
        this.kind = parent == null && this instanceof Segment ? Kind.ROOT : Kind.STEP;
    }

    /** The entity id; drawn on first use so that summarized calls that never need one never pay for it. */
    public final synchronized String id() {
        return Ids.entityIdHex(idBits());
    }

    final synchronized long idBits() {
        if (id == 0L) {
            id = Ids.newEntityId();
        }
        return id;
    }

    final synchronized void assignId(long fixedId) {
        this.id = fixedId;
    }

    public String traceId() {
        return tree.traceId;
    }

    /** The name as given, before sanitizing. */
    final synchronized String rawName() {
        return name;
    }

    /** The name as X-Ray accepts it. */
    public final synchronized String name() {
        return Names.segmentName(name);
    }

    public final synchronized void setName(String newName) {
        this.name = newName;
    }

    public final boolean isClosed() {
        return closed;
    }

    public final long startMicros() {
        return startMicros;
    }

    public final long endMicros() {
        return endMicros;
    }

    public final void setStartMicros(long micros) {
        this.startMicros = micros;
    }

    public final Kind kind() {
        return kind;
    }

    /** Says what this is, for the trace budget ({@link Kind}); the root stays {@link Kind#ROOT}. */
    public final void setKind(Kind newKind) {
        if (newKind != null && kind != Kind.ROOT) {
            this.kind = newKind;
        }
    }

    /** How important it is when a trace runs short: its kind's level, raised to {@link Kind#FAILED_LEVEL} if it failed. */
    synchronized int level() {
        int level = kind.level();
        return (fault || error) && level > Kind.FAILED_LEVEL ? Kind.FAILED_LEVEL : level;
    }

    /** Annotations are indexed by X-Ray: string, number or boolean values only; other values become strings. */
    public final synchronized void annotate(String key, Object value) {
        if (value == null) {
            return;
        }
        if (annotations == null) {
            annotations = new LinkedHashMap<>();
        }
        String safeKey = Names.annotationKey(key);
        if (annotations.size() >= MAX_ANNOTATIONS && !annotations.containsKey(safeKey)) {
            return;
        }
        Object safe;
        if (value instanceof Boolean || value instanceof Number) {
            safe = value instanceof Double && (((Double) value).isNaN() || ((Double) value).isInfinite())
                    ? value.toString() : value;
        } else {
            safe = Names.truncate(Names.cleanText(String.valueOf(value), false), Names.MAX_ANNOTATION_VALUE);
        }
        annotations.put(safeKey, safe);
    }

    /** Metadata is not indexed and takes any JSON value; namespaces starting with {@code AWS.} are X-Ray's own. */
    public final synchronized void putMetadata(String namespace, String key, Object value) {
        String ns = namespace == null || namespace.isEmpty() ? "default" : namespace;
        if (ns.startsWith("AWS.")) {
            ns = "_" + ns;
        }
        if (metadata == null) {
            metadata = new LinkedHashMap<>();
        }
        Map<String, Object> space = metadata.get(ns);
        if (space == null) {
            space = new LinkedHashMap<>();
            metadata.put(ns, space);
        }
        // Strings only (cheap); nested values are the agent's own maps of numbers and names.
        space.put(key, value instanceof String ? Names.cleanText((String) value, true) : value);
    }

    public final synchronized void putAws(String key, Object value) {
        if (aws == null) {
            aws = new LinkedHashMap<>();
        }
        aws.put(key, value);
    }

    /** {@code part} is {@code request} (method, url, user_agent, traced) or {@code response} (status, content_length). */
    public final synchronized void putHttp(String part, String key, Object value) {
        if ("response".equals(part)) {
            if (httpResponse == null) {
                httpResponse = new LinkedHashMap<>();
            }
            httpResponse.put(key, value);
        } else {
            if (httpRequest == null) {
                httpRequest = new LinkedHashMap<>();
            }
            httpRequest.put(key, value);
        }
    }

    public final synchronized void putSql(String key, Object value) {
        if (sql == null) {
            sql = new LinkedHashMap<>();
        }
        sql.put(key, value);
    }

    public final synchronized void setNamespace(String ns) {
        this.namespace = ns;
    }

    /** A client-side or 4xx failure. */
    public final synchronized void markError() {
        error = true;
    }

    /** Throttled (429 or a throttling exception); X-Ray shows it with {@code error}. */
    public final synchronized void markThrottle() {
        throttle = true;
        error = true;
    }

    /** A server-side failure, or the job's own failure. */
    public final synchronized void markFault() {
        fault = true;
    }

    public final synchronized boolean hasFault() {
        return fault;
    }

    public final synchronized boolean hasError() {
        return error || fault;
    }

    /**
     * Records an exception as this entity's {@code cause}. The same throwable already recorded further down the
     * trace is referenced by its exception id rather than written twice, as the X-Ray SDKs do.
     */
    public final void recordException(Throwable t, boolean remote) {
        if (t == null) {
            return;
        }
        CauseRecord record = CauseRecord.of(t, remote, tree.exceptionIds);
        synchronized (this) {
            cause = record;
        }
    }

    /** Closes a limit summary when its parent ends; overridden by the tree logic. */
    abstract boolean isSegment();

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + name() + ")";
    }

    /**
     * Counts the calls of one limit key (a pointcut's name template, an AWS operation) under one parent, and holds
     * the summary of the current window that takes them past the limit. Read on every call without a lock: past
     * the limit a call reads {@link #full} and {@link #current}, and adds to the summary's striped counts.
     */
    static final class NameLimit {
        /** The summary's name: the limit key (a template's text, not a name built from data). */
        final String name;
        final int limit;
        /** Where windows begin, and how long they are (0: one window); from the run the parent's trace belongs to. */
        final long windowStartMillis;
        final long windowMillis;
        final AtomicInteger started = new AtomicInteger();
        /** Set once {@link #started} passed the limit: later calls skip the contended counter. */
        volatile boolean full;
        /** The summary of the latest window with calls past the limit; older ones stay in the tree until cut. */
        volatile Subsegment current;

        NameLimit(String name, int limit, long windowStartMillis, long windowMillis) {
            this.name = name;
            this.limit = limit;
            this.windowStartMillis = windowStartMillis;
            this.windowMillis = windowMillis;
        }

        /** The end of the window a moment falls in (epoch milliseconds); MAX_VALUE without windows. */
        long windowEndOf(long epochMillis) {
            if (windowMillis <= 0L) {
                return Long.MAX_VALUE;
            }
            long window = Math.max(0L, epochMillis - windowStartMillis) / windowMillis;
            return windowStartMillis + (window + 1L) * windowMillis;
        }
    }

    static List<Subsegment> newChildList() {
        return new ArrayList<>(4);
    }
}
