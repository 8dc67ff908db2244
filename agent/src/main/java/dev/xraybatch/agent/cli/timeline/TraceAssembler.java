package dev.xraybatch.agent.cli.timeline;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns segment documents, in the order they were sent, into trace trees as X-Ray would show them.
 *
 * <ul>
 *   <li>A long job's continuation traces (their root carries annotation {@code xray_batch_run} naming the job's
 *       trace, or the job's final root lists them in {@code xray_batch.parts}: a trace X-Ray closed before its
 *       root came has none) are stitched into the job's trace when it is among the documents: ids are shared, and a real
 *       document wins over a stand-in (a continuation trace's root, or a subsegment marked
 *       {@code xray_batch.continued}) whatever their order.</li>
 *   <li>A complete document replaces an in-progress one for the same id, whichever came first; between two of
 *       the same kind the later wins. This is decided per sent document first (so subsegments embedded only in a
 *       replaced in-progress document disappear, as in X-Ray), then again per node, because a subsegment can
 *       arrive both embedded and on its own.</li>
 *   <li>Embedded subsegments and independent ones ({@code "type":"subsegment"} with {@code parent_id}) are
 *       merged into one tree by parent id.</li>
 *   <li>A subsegment whose parent never arrived is shown under the trace's first root segment, marked with the
 *       missing id; a trace with no root segment at all gets a marked stand-in root. A segment whose parent is
 *       elsewhere (a caller outside this trace file) is simply a root.</li>
 * </ul>
 */
final class TraceAssembler {
    static final String SUMMARY_NAMESPACE = "xray_batch";
    static final String SUMMARY_KEY = "summary";
    /** The annotation every trace of a long job's run carries: the job's own trace id. */
    static final String RUN_ANNOTATION = "xray_batch_run";
    /** The annotation of a continuation trace's root: its window's number. */
    static final String PART_ANNOTATION = "xray_batch_part";
    /** A subsegment named like "S3 GetObject (summary)" or "summary of tasks" is a summary too. */
    private static final Pattern SUMMARY_NAME = Pattern.compile("(?i).*\\bsummary\\b.*");

    private final Map<String, Sent> sentById = new LinkedHashMap<>();
    /** Continuation trace id to the job's trace it continues, from the roots' {@code xray_batch_run}. */
    private final Map<String, String> runOf = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private int sequence;

    /** Adds one document as sent to PutTraceSegments; {@code where} names it in problem messages ("line 12"). */
    void add(Map<String, Object> document, String where) {
        String id = string(document.get("id"));
        String traceId = string(document.get("trace_id"));
        if (id == null || traceId == null || !(document.get("start_time") instanceof Number)) {
            problems.add(where + ": not a segment document (needs id, trace_id and start_time), skipped");
            return;
        }
        Sent sent = new Sent(document, sequence++);
        String run = runAnnotation(document);
        if (run != null && !run.equals(traceId) && !"subsegment".equals(document.get("type"))) {
            runOf.put(traceId, run);
        }
        if (!"subsegment".equals(document.get("type"))) {
            // The job's final root lists its continuation traces, also one X-Ray closed before its root came.
            String listedBy = run != null ? run : traceId;
            for (String part : listedParts(document)) {
                if (!part.equals(listedBy) && !runOf.containsKey(part)) {
                    runOf.put(part, listedBy);
                }
            }
        }
        String key = traceId + '/' + id;
        Sent earlier = sentById.get(key);
        if (earlier == null || sent.replaces(earlier)) {
            sentById.put(key, sent);
        }
    }

    /** Documents that could not be used, each with where it came from. */
    List<String> problems() {
        return problems;
    }

    /** The traces, earliest first. */
    List<Trace> assemble() {
        Map<String, Map<String, Candidate>> byTrace = new LinkedHashMap<>();
        Set<String> traceIds = new java.util.HashSet<>();
        for (Sent sent : sentById.values()) {
            traceIds.add(string(sent.document.get("trace_id")));
        }
        for (Sent sent : sentById.values()) {
            flatten(sent, stitchedTraceOf(string(sent.document.get("trace_id")), traceIds), byTrace);
        }
        List<Trace> traces = new ArrayList<>();
        for (Map.Entry<String, Map<String, Candidate>> trace : byTrace.entrySet()) {
            traces.add(buildTrace(trace.getKey(), trace.getValue()));
        }
        traces.sort(Comparator.comparingDouble((Trace t) -> t.start));
        return traces;
    }

    /** The job's trace a continuation trace belongs to, when that trace is here too; else the trace itself. */
    private String stitchedTraceOf(String traceId, Set<String> present) {
        String run = runOf.get(traceId);
        return run != null && present.contains(run) ? run : traceId;
    }

    @SuppressWarnings("unchecked")
    private static String runAnnotation(Map<String, Object> document) {
        Object annotations = document.get("annotations");
        Object run = annotations instanceof Map ? ((Map<String, Object>) annotations).get(RUN_ANNOTATION) : null;
        return run instanceof String ? (String) run : null;
    }

    @SuppressWarnings("unchecked")
    private static List<String> listedParts(Map<String, Object> document) {
        Object metadata = document.get("metadata");
        Object agent = metadata instanceof Map ? ((Map<String, Object>) metadata).get(SUMMARY_NAMESPACE) : null;
        Object parts = agent instanceof Map ? ((Map<String, Object>) agent).get("parts") : null;
        List<String> listed = new ArrayList<>();
        if (parts instanceof List) {
            for (Object part : (List<Object>) parts) {
                if (part instanceof String) {
                    listed.add((String) part);
                }
            }
        }
        return listed;
    }

    /** A continuation trace's root, or a stand-in for work that continues elsewhere: loses to the real thing. */
    @SuppressWarnings("unchecked")
    static boolean isStandIn(Map<String, Object> document) {
        Object annotations = document.get("annotations");
        if (annotations instanceof Map && ((Map<String, Object>) annotations).containsKey(PART_ANNOTATION)) {
            return true;
        }
        Object metadata = document.get("metadata");
        Object agent = metadata instanceof Map ? ((Map<String, Object>) metadata).get(SUMMARY_NAMESPACE) : null;
        return agent instanceof Map && Boolean.TRUE.equals(((Map<String, Object>) agent).get("continued"));
    }

    /** Every node of a sent document (itself and its embedded subsegments) as a candidate for its id. */
    @SuppressWarnings("unchecked")
    private void flatten(Sent sent, String traceId, Map<String, Map<String, Candidate>> byTrace) {
        Map<String, Candidate> nodes = byTrace.computeIfAbsent(traceId, k -> new LinkedHashMap<>());
        boolean topIsSegment = !"subsegment".equals(sent.document.get("type"));
        Deque<Object[]> pending = new ArrayDeque<>();
        pending.push(new Object[] {sent.document, string(sent.document.get("parent_id")), topIsSegment});
        while (!pending.isEmpty()) {
            Object[] item = pending.pop();
            Map<String, Object> document = (Map<String, Object>) item[0];
            String id = string(document.get("id"));
            if (id == null || !(document.get("start_time") instanceof Number)) {
                problems.add("an embedded subsegment of " + traceId + " has no id or start_time, skipped");
                continue;
            }
            Candidate candidate = new Candidate(withoutSubsegments(document), (String) item[1], (Boolean) item[2],
                    sent.sequence);
            Candidate earlier = nodes.get(id);
            if (earlier == null || candidate.replaces(earlier)) {
                nodes.put(id, candidate);
            }
            Object children = document.get("subsegments");
            if (children instanceof List) {
                for (Object child : (List<Object>) children) {
                    if (child instanceof Map) {
                        pending.push(new Object[] {child, id, false});
                    }
                }
            }
        }
    }

    private Trace buildTrace(String traceId, Map<String, Candidate> candidates) {
        Map<String, TimelineNode> nodes = new LinkedHashMap<>();
        int segments = 0;
        double start = Double.MAX_VALUE;
        double end = -Double.MAX_VALUE;
        for (Map.Entry<String, Candidate> entry : candidates.entrySet()) {
            TimelineNode node = entry.getValue().toNode(entry.getKey());
            nodes.put(entry.getKey(), node);
            segments += node.segment ? 1 : 0;
            start = Math.min(start, node.start);
            end = Math.max(end, node.end == null ? node.start : node.end);
        }

        List<TimelineNode> roots = new ArrayList<>();
        List<TimelineNode> orphans = new ArrayList<>();
        for (TimelineNode node : nodes.values()) {
            String parentId = candidates.get(node.id).parentId;
            TimelineNode parent = parentId == null ? null : nodes.get(parentId);
            if (parent != null && parent != node) {
                parent.children.add(node);
            } else if (node.segment) {
                roots.add(node);
            } else {
                node.missingParentId = parentId == null ? "(none)" : parentId;
                orphans.add(node);
            }
        }
        roots.sort(BY_START);

        TimelineNode home;
        if (!roots.isEmpty()) {
            home = roots.get(0);
        } else {
            home = new TimelineNode(null, "(root segment not received)", true, start, end, false, false, false,
                    Collections.<String, Object>emptyMap(), null, false, true);
            roots.add(home);
        }
        home.children.addAll(orphans);
        attachUnreachable(nodes, roots, home);
        for (TimelineNode node : nodes.values()) {
            node.children.sort(BY_START);
        }
        home.children.sort(BY_START); // a stand-in root is not among the nodes above
        RowFacts.annotate(nodes.values());
        return new Trace(traceId, roots, start, end, segments, nodes.size() - segments);
    }

    /**
     * Parent ids that form a loop (a malformed file) leave nodes that no root reaches: cut each loop at one node
     * and show it under the root like an orphan, so that nothing sent is silently missing from the view.
     */
    private static void attachUnreachable(Map<String, TimelineNode> nodes, List<TimelineNode> roots,
            TimelineNode home) {
        Map<TimelineNode, TimelineNode> parentOf = new HashMap<>();
        for (TimelineNode node : nodes.values()) {
            for (TimelineNode child : node.children) {
                parentOf.put(child, node);
            }
        }
        Set<TimelineNode> reached = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<TimelineNode> pending = new ArrayDeque<>(roots);
        markReached(pending, reached);
        for (TimelineNode node : nodes.values()) {
            if (!reached.contains(node)) {
                TimelineNode parent = parentOf.get(node);
                if (parent != null) {
                    parent.children.remove(node);
                }
                node.missingParentId = parent == null ? "(none)" : parent.id + " (a loop of parent ids)";
                home.children.add(node);
                pending.add(node);
                markReached(pending, reached);
            }
        }
    }

    private static void markReached(Deque<TimelineNode> pending, Set<TimelineNode> reached) {
        while (!pending.isEmpty()) {
            TimelineNode node = pending.pop();
            if (reached.add(node)) {
                pending.addAll(node.children);
            }
        }
    }

    private static final Comparator<TimelineNode> BY_START = Comparator.comparingDouble((TimelineNode n) -> n.start);

    private static Map<String, Object> withoutSubsegments(Map<String, Object> document) {
        if (!document.containsKey("subsegments")) {
            return document;
        }
        Map<String, Object> copy = new LinkedHashMap<>(document);
        copy.remove("subsegments");
        return copy;
    }

    private static String string(Object value) {
        return value instanceof String && !((String) value).isEmpty() ? (String) value : null;
    }

    private static boolean isComplete(Map<String, Object> document) {
        return !Boolean.TRUE.equals(document.get("in_progress")) && document.get("end_time") instanceof Number;
    }

    /** One document as sent, with its position in the input. */
    private static final class Sent {
        final Map<String, Object> document;
        final int sequence;

        Sent(Map<String, Object> document, int sequence) {
            this.document = document;
            this.sequence = sequence;
        }

        boolean replaces(Sent earlier) {
            boolean standIn = isStandIn(document);
            if (standIn != isStandIn(earlier.document)) {
                return !standIn;
            }
            return isComplete(document) || !isComplete(earlier.document);
        }
    }

    /** One version of a node, from a document sent on its own or embedded in another. */
    private static final class Candidate {
        final Map<String, Object> document;
        final String parentId;
        final boolean segment;
        final int sequence;

        Candidate(Map<String, Object> document, String parentId, boolean segment, int sequence) {
            this.document = document;
            this.parentId = parentId;
            this.segment = segment;
            this.sequence = sequence;
        }

        boolean replaces(Candidate other) {
            boolean standIn = isStandIn(document);
            if (standIn != isStandIn(other.document)) {
                return !standIn;
            }
            boolean complete = isComplete(document);
            boolean otherComplete = isComplete(other.document);
            return complete != otherComplete ? complete : sequence >= other.sequence;
        }

        @SuppressWarnings("unchecked")
        TimelineNode toNode(String id) {
            Object nameValue = document.get("name");
            String name = nameValue == null ? "(unnamed)" : String.valueOf(nameValue);
            Map<String, Object> summary = null;
            Object metadata = document.get("metadata");
            if (metadata instanceof Map) {
                Object namespace = ((Map<String, Object>) metadata).get(SUMMARY_NAMESPACE);
                if (namespace instanceof Map && ((Map<String, Object>) namespace).get(SUMMARY_KEY) instanceof Map) {
                    summary = (Map<String, Object>) ((Map<String, Object>) namespace).get(SUMMARY_KEY);
                }
            }
            boolean isSummary = summary != null || (!segment && SUMMARY_NAME.matcher(name).matches());
            return new TimelineNode(id, name, segment, ((Number) document.get("start_time")).doubleValue(),
                    isComplete(document) ? ((Number) document.get("end_time")).doubleValue() : null,
                    flag("error"), flag("throttle"), flag("fault"), document, summary, isSummary, false);
        }

        private boolean flag(String field) {
            return Boolean.TRUE.equals(document.get(field));
        }
    }
}
