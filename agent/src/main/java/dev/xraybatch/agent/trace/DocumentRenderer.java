package dev.xraybatch.agent.trace;

import dev.xraybatch.agent.json.JsonWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns entities into X-Ray segment documents (xray-protocol.md). A subtree that would not fit one document is
 * split: the entity goes alone and each child becomes an independent subsegment document naming its parent.
 */
final class DocumentRenderer {
    /** X-Ray takes 64 kB per document; the margin leaves room for the daemon header on the UDP route. */
    static final int MAX_DOCUMENT_BYTES = 62 * 1024;

    private final AgentInfo agentInfo;

    DocumentRenderer(AgentInfo agentInfo) {
        this.agentInfo = agentInfo;
    }

    /** Renders {@code top} (the root segment, or a subsegment sent on its own) and what is held beneath it. */
    void render(Entity top, Consumer<String> out) {
        boolean independent = !top.isSegment();
        String whole = document(top, independent, true, true);
        if (JsonWriter.utf8Length(whole) <= MAX_DOCUMENT_BYTES) {
            out.accept(whole);
            return;
        }
        String alone = document(top, independent, false, true);
        if (JsonWriter.utf8Length(alone) > MAX_DOCUMENT_BYTES) {
            // Its own fields are too large (huge metadata): keep what identifies it and its outcome.
            alone = document(top, independent, false, false);
        }
        out.accept(alone);
        for (Subsegment child : childrenOf(top)) {
            render(child, out);
        }
    }

    private static List<Subsegment> childrenOf(Entity e) {
        synchronized (e.tree) {
            return e.children == null ? new ArrayList<Subsegment>() : new ArrayList<>(e.children);
        }
    }

    private String document(Entity top, boolean independent, boolean withChildren, boolean withDetails) {
        StringBuilder sb = new StringBuilder(512);
        JsonWriter w = new JsonWriter(sb);
        writeEntity(w, top, independent, withChildren, withDetails);
        return sb.toString();
    }

    private void writeEntity(JsonWriter w, Entity e, boolean independent, boolean withChildren,
                             boolean withDetails) {
        w.beginObject();
        synchronized (e) {
            w.field("name", e.name());
            w.field("id", e.id());
            if (e.isSegment() || independent) {
                w.field("trace_id", e.traceId());
            }
            if (independent) {
                w.field("type", "subsegment");
                w.field("parent_id", ((Subsegment) e).parentIdForDocument());
            } else if (e instanceof Segment && ((Segment) e).upstreamParentId != null) {
                w.field("parent_id", ((Segment) e).upstreamParentId);
            }
            w.timeField("start_time", e.startMicros);
            long end = effectiveEnd(e);
            if (end != 0L) {
                w.timeField("end_time", Math.max(end, e.startMicros));
            } else {
                w.field("in_progress", true);
            }
            if (e.namespace != null) {
                w.field("namespace", e.namespace);
            }
            if (e instanceof Segment) {
                writeSegmentFields(w, (Segment) e);
            }
            CallSummary summary = e instanceof Subsegment ? ((Subsegment) e).summary : null;
            if (e.error || (summary != null && summary.hasErrors())) {
                w.field("error", true);
            }
            if (e.throttle || (summary != null && summary.hasThrottles())) {
                w.field("throttle", true);
            }
            if (e.fault || (summary != null && summary.hasFaults())) {
                w.field("fault", true);
            }
            if (e.httpRequest != null || e.httpResponse != null) {
                w.name("http").beginObject();
                if (e.httpRequest != null) {
                    w.name("request").value(e.httpRequest);
                }
                if (e.httpResponse != null) {
                    w.name("response").value(e.httpResponse);
                }
                w.endObject();
            }
            if (e.aws != null && !(e instanceof Segment)) {
                w.name("aws").value(e.aws);
            }
            if (e.sql != null) {
                w.name("sql").value(e.sql);
            }
            if (e.annotations != null && !e.annotations.isEmpty()) {
                w.name("annotations").value(e.annotations);
            }
            if (withDetails && (e.metadata != null || summary != null)) {
                w.name("metadata").beginObject();
                if (e.metadata != null) {
                    for (Map.Entry<String, Map<String, Object>> ns : e.metadata.entrySet()) {
                        if (summary != null && "xray_batch".equals(ns.getKey())) {
                            continue;
                        }
                        w.name(ns.getKey()).value(ns.getValue());
                    }
                }
                if (summary != null) {
                    w.name("xray_batch").beginObject().name("summary").value(summary.toMetadata()).endObject();
                }
                w.endObject();
            }
            if (e.cause != null) {
                if (e.cause.referencedId != null) {
                    w.field("cause", e.cause.referencedId);
                } else {
                    w.name("cause").value(withDetails ? e.cause.toJson() : stackless(e.cause));
                }
            }
        }
        if (withChildren) {
            List<Subsegment> children = childrenOf(e);
            if (!children.isEmpty()) {
                w.name("subsegments").beginArray();
                for (Subsegment child : children) {
                    writeEntity(w, child, false, true, withDetails);
                }
                w.endArray();
            }
        }
        w.endObject();
    }

    private void writeSegmentFields(JsonWriter w, Segment s) {
        if (s.origin != null) {
            w.field("origin", s.origin);
        }
        w.name("aws").beginObject();
        if (s.aws != null) {
            for (Map.Entry<String, Object> field : s.aws.entrySet()) {
                w.name(field.getKey()).value(field.getValue());
            }
        }
        w.name("xray").beginObject()
                .field("sdk", agentInfo.name)
                .field("sdk_version", agentInfo.version)
                .field("auto_instrumentation", true)
                .endObject();
        w.endObject();
    }

    /** A summary's end is its last call's end until its parent closes it. */
    private static long effectiveEnd(Entity e) {
        if (e.endMicros == 0L && e instanceof Subsegment && ((Subsegment) e).summary != null) {
            return ((Subsegment) e).summary.lastEnd();
        }
        return e.endMicros;
    }

    private static Map<String, Object> stackless(CauseRecord cause) {
        Map<String, Object> c = cause.toJson();
        List<Map<String, Object>> slim = new ArrayList<>();
        for (Map<String, Object> ex : cause.exceptions) {
            Map<String, Object> copy = new java.util.LinkedHashMap<>(ex);
            copy.remove("stack");
            slim.add(copy);
        }
        c.put("exceptions", slim);
        return c;
    }

    /** What the root segment says about the agent ({@code aws.xray}). */
    static final class AgentInfo {
        final String name;
        final String version;

        AgentInfo(String name, String version) {
            this.name = name;
            this.version = version;
        }
    }
}
