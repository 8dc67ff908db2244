package dev.xraybatch.agent.trace;

import dev.xraybatch.agent.export.Placement;
import dev.xraybatch.agent.export.RenderedDocuments;
import dev.xraybatch.agent.json.JsonWriter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns entities into X-Ray segment documents (xray-protocol.md). A subtree that would not fit one document is
 * split: the entity goes alone and each child becomes an independent subsegment document naming its parent.
 *
 * <p>A {@link Placement} says which trace the documents go to (a continuation trace of the job, or the entity's
 * own) and how important an embedded entity must be to be written out; what is left out is reported by kind.
 * Besides entities, it writes the stand-ins ("stubs") a continuation trace holds for work that continues in it,
 * and the roots of continuation traces.
 */
final class DocumentRenderer {
    /** X-Ray takes 64 kB per document; the margin leaves room for the daemon header on the UDP route. */
    static final int MAX_DOCUMENT_BYTES = 62 * 1024;
    /** The agent's own metadata namespace. */
    static final String AGENT_NAMESPACE = "xray_batch";

    private final AgentInfo agentInfo;

    DocumentRenderer(AgentInfo agentInfo) {
        this.agentInfo = agentInfo;
    }

    /** Renders {@code top} (the root segment, or a subsegment sent on its own) and what is held beneath it. */
    void render(Entity top, final Consumer<String> out) {
        render(top, Placement.into(null), new RenderedDocuments() {
            @Override
            public void document(Document document) {
                out.accept(document.json);
            }

            @Override
            public void leftOut(String kind, int count, long micros) {
            }
        });
    }

    /** Renders {@code top} and what is held beneath it as {@code placement} says; reports each document. */
    void render(Entity top, Placement placement, RenderedDocuments out) {
        boolean independent = !top.isSegment();
        Pass whole = new Pass(placement);
        String json = document(top, independent, true, true, whole);
        if (JsonWriter.utf8Length(json) <= MAX_DOCUMENT_BYTES) {
            whole.report(json, top, out);
            return;
        }
        Pass alone = new Pass(placement);
        json = document(top, independent, false, true, alone);
        if (JsonWriter.utf8Length(json) > MAX_DOCUMENT_BYTES) {
            // Its own fields are too large (huge metadata): keep what identifies it and its outcome.
            alone = new Pass(placement);
            json = document(top, independent, false, false, alone);
        }
        alone.report(json, top, out);
        for (Subsegment child : childrenOf(top)) {
            if (leavesOut(child, placement)) {
                Pass skipped = new Pass(placement);
                skipped.leaveOut(child);
                skipped.reportLeftOut(out);
            } else {
                render(child, placement, out);
            }
        }
    }

    /**
     * The stand-in for {@code e} in a trace of its run that lacks it: its name and id under {@code parentId}, in
     * progress (it continues elsewhere; its own complete document may still complete it in the same trace), shown
     * from its start but not before {@code notBeforeMicros}, marked as continued with its real start.
     */
    String stub(Entity e, String traceId, String parentId, long notBeforeMicros) {
        String namespace;
        synchronized (e) {
            namespace = e.namespace;
        }
        return stub(e.name(), e.id(), namespace, e.startMicros, traceId, parentId, notBeforeMicros);
    }

    /** The same from what is known of an entity: its name, id, namespace and start. */
    String stub(String name, String id, String namespace, long start, String traceId, String parentId,
                long notBeforeMicros) {
        StringBuilder sb = new StringBuilder(256);
        JsonWriter w = new JsonWriter(sb);
        w.beginObject();
        w.field("name", name);
        w.field("id", id);
        w.field("trace_id", traceId);
        w.field("type", "subsegment");
        w.field("parent_id", parentId);
        w.timeField("start_time", Math.max(start, notBeforeMicros));
        w.field("in_progress", true);
        if (namespace != null) {
            w.field("namespace", namespace);
        }
        w.name("metadata").beginObject().name(AGENT_NAMESPACE).beginObject()
                .field("continued", true)
                .name("started").value(start / 1e6)
                .endObject().endObject();
        w.endObject();
        return sb.toString();
    }

    /**
     * The root of a continuation trace: named, identified and annotated as the job's root (with {@code extra}
     * annotations), spanning the window, with the agent's metadata; no outcome (the job's end is in its own trace).
     */
    String partRoot(Segment root, String rootId, String traceId, long startMicros, long endMicros,
                    Map<String, Object> extraAnnotations, Map<String, Object> agentMetadata) {
        StringBuilder sb = new StringBuilder(1024);
        JsonWriter w = new JsonWriter(sb);
        w.beginObject();
        synchronized (root) {
            w.field("name", root.name());
            w.field("id", rootId);
            w.field("trace_id", traceId);
            w.timeField("start_time", startMicros);
            if (endMicros == 0L) {
                w.field("in_progress", true);
            } else {
                w.timeField("end_time", Math.max(endMicros, startMicros));
            }
            writeSegmentFields(w, root);
            Map<String, Object> annotations = new LinkedHashMap<>();
            if (root.annotations != null) {
                annotations.putAll(root.annotations);
            }
            for (Map.Entry<String, Object> a : extraAnnotations.entrySet()) {
                if (annotations.size() < Entity.MAX_ANNOTATIONS || annotations.containsKey(a.getKey())) {
                    annotations.put(a.getKey(), a.getValue());
                }
            }
            w.name("annotations").value(annotations);
        }
        w.name("metadata").beginObject().name(AGENT_NAMESPACE).value(agentMetadata).endObject();
        w.endObject();
        return sb.toString();
    }

    /** The root segment in progress, without its subsegments: what a running job shows. */
    String inProgressRoot(Segment root, Map<String, Object> agentMetadata) {
        Pass pass = new Pass(Placement.into(null).withRootMetadata(agentMetadata));
        StringBuilder sb = new StringBuilder(1024);
        JsonWriter w = new JsonWriter(sb);
        writeEntity(w, root, false, false, true, pass, true);
        return sb.toString();
    }

    private static List<Subsegment> childrenOf(Entity e) {
        synchronized (e.tree) {
            return e.children == null ? new ArrayList<Subsegment>() : new ArrayList<>(e.children);
        }
    }

    private String document(Entity top, boolean independent, boolean withChildren, boolean withDetails, Pass pass) {
        StringBuilder sb = new StringBuilder(512);
        JsonWriter w = new JsonWriter(sb);
        writeEntity(w, top, independent, withChildren, withDetails, pass, false);
        return sb.toString();
    }

    /** True when every entity of this subtree is less important than the placement keeps, and none must stay. */
    private static boolean leavesOut(Subsegment e, Placement placement) {
        if (placement.maxLevel == Placement.ALL_LEVELS) {
            return false;
        }
        if (e.level() <= placement.maxLevel || placement.keep.test(e.idBits())) {
            return false;
        }
        for (Subsegment child : childrenOf(e)) {
            if (!leavesOut(child, placement)) {
                return false;
            }
        }
        return true;
    }

    private void writeEntity(JsonWriter w, Entity e, boolean independent, boolean withChildren,
                             boolean withDetails, Pass pass, boolean forceInProgress) {
        pass.include(e);
        w.beginObject();
        synchronized (e) {
            w.field("name", e.name());
            w.field("id", e.id());
            if (e.isSegment() || independent) {
                w.field("trace_id", pass.placement.traceId != null ? pass.placement.traceId : e.traceId());
            }
            if (independent) {
                w.field("type", "subsegment");
                w.field("parent_id", ((Subsegment) e).parentIdForDocument());
            } else if (e instanceof Segment && ((Segment) e).upstreamParentId != null) {
                w.field("parent_id", ((Segment) e).upstreamParentId);
            }
            w.timeField("start_time", e.startMicros);
            long end = forceInProgress ? 0L : effectiveEnd(e);
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
            Map<String, Object> agentMetadata = e instanceof Segment ? pass.placement.rootMetadata : null;
            boolean extra = agentMetadata != null && !agentMetadata.isEmpty();
            if (withDetails && (e.metadata != null || summary != null || extra)) {
                w.name("metadata").beginObject();
                if (e.metadata != null) {
                    for (Map.Entry<String, Map<String, Object>> ns : e.metadata.entrySet()) {
                        boolean agents = AGENT_NAMESPACE.equals(ns.getKey());
                        if (agents && (summary != null || extra)) {
                            continue;
                        }
                        w.name(ns.getKey()).value(ns.getValue());
                    }
                }
                if (summary != null) {
                    w.name(AGENT_NAMESPACE).beginObject().name("summary").value(summary.toMetadata()).endObject();
                } else if (extra) {
                    Map<String, Object> merged = new LinkedHashMap<>();
                    Map<String, Object> own = e.metadata == null ? null : e.metadata.get(AGENT_NAMESPACE);
                    if (own != null) {
                        merged.putAll(own);
                    }
                    merged.putAll(agentMetadata);
                    w.name(AGENT_NAMESPACE).value(merged);
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
            boolean opened = false;
            for (Subsegment child : children) {
                if (leavesOut(child, pass.placement)) {
                    pass.leaveOut(child);
                    continue;
                }
                if (!opened) {
                    w.name("subsegments").beginArray();
                    opened = true;
                }
                writeEntity(w, child, false, true, withDetails, pass, false);
            }
            if (opened) {
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

    /**
     * What one rendering attempt wrote: the ids and levels of the entities in the document, and what it left out.
     * An attempt whose document is too large is thrown away with its pass, so nothing is reported twice.
     */
    private static final class Pass {
        final Placement placement;
        long[] ids = new long[8];
        int idCount;
        int mostImportant = Integer.MAX_VALUE;
        int leastImportant;
        final Map<String, long[]> contents = new LinkedHashMap<>(4);
        Map<String, long[]> leftOut;

        Pass(Placement placement) {
            this.placement = placement;
        }

        void include(Entity e) {
            if (idCount == ids.length) {
                ids = Arrays.copyOf(ids, idCount * 2);
            }
            ids[idCount++] = e.idBits();
            int level = e.level();
            leastImportant = Math.max(leastImportant, level);
            mostImportant = Math.min(mostImportant, level);
            add(contents, e);
        }

        private static void add(Map<String, long[]> counts, Entity e) {
            long[] kind = counts.get(e.kind.key());
            if (kind == null) {
                kind = new long[2];
                counts.put(e.kind.key(), kind);
            }
            kind[0]++;
            long end = effectiveEnd(e);
            kind[1] += end > e.startMicros ? end - e.startMicros : 0L;
        }

        void leaveOut(Subsegment e) {
            if (leftOut == null) {
                leftOut = new LinkedHashMap<>();
            }
            add(leftOut, e);
            for (Subsegment child : childrenOf(e)) {
                leaveOut(child);
            }
        }

        void report(String json, Entity top, RenderedDocuments out) {
            long parent = 0L;
            if (top instanceof Subsegment) {
                parent = Ids.parseEntityId(((Subsegment) top).parentIdForDocument());
            }
            out.document(new RenderedDocuments.Document(json, top.level(), mostImportant, leastImportant,
                    Arrays.copyOf(ids, idCount), parent, contents));
            reportLeftOut(out);
        }

        void reportLeftOut(RenderedDocuments out) {
            if (leftOut != null) {
                for (Map.Entry<String, long[]> kind : leftOut.entrySet()) {
                    out.leftOut(kind.getKey(), (int) kind.getValue()[0], kind.getValue()[1]);
                }
            }
        }
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
