package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One trace as X-Ray would show it: every accepted document of the trace merged into a tree, however the agent split
 * them (in-progress then complete documents, embedded or independent subsegments). For each id the complete version
 * wins over an in-progress one, and a later document over an earlier one. Nodes whose parent is not in the trace
 * (a segment without {@code parent_id}, or whose parent lives in another service) are roots.
 */
public final class Trace {

    private final String traceId;
    private final List<JsonNode> documents;
    private final Map<String, TraceNode> nodesById;
    private final List<TraceNode> roots;

    private Trace(String traceId, List<JsonNode> documents, Map<String, TraceNode> nodesById, List<TraceNode> roots) {
        this.traceId = traceId;
        this.documents = documents;
        this.nodesById = nodesById;
        this.roots = roots;
    }

    /** Builds the tree from documents of one trace, given in arrival order. */
    static Trace of(String traceId, List<JsonNode> documentsInArrivalOrder) {
        Map<String, Entity> latest = new LinkedHashMap<>();
        for (JsonNode document : documentsInArrivalOrder) {
            for (Entity entity : Entity.flatten(document)) {
                Entity known = latest.get(entity.id());
                if (known == null || !entity.inProgress() || known.inProgress()) {
                    latest.put(entity.id(), entity);
                }
            }
        }
        Map<String, TraceNode> nodes = new LinkedHashMap<>();
        latest.forEach((id, entity) -> nodes.put(id, new TraceNode(entity)));
        List<TraceNode> roots = new ArrayList<>();
        latest.forEach((id, entity) -> {
            TraceNode parent = entity.parentId() == null ? null : nodes.get(entity.parentId());
            if (parent == null || parent == nodes.get(id)) {
                roots.add(nodes.get(id));
            } else {
                parent.attach(nodes.get(id));
            }
        });
        roots.sort((a, b) -> Double.compare(a.startTime(), b.startTime()));
        roots.forEach(TraceNode::sortChildren);
        Trace trace = new Trace(traceId, List.copyOf(documentsInArrivalOrder), nodes, Collections.unmodifiableList(roots));
        roots.forEach(root -> root.belongTo(trace));
        return trace;
    }

    public String traceId() {
        return traceId;
    }

    /** Every accepted document of this trace, as sent, in arrival order (including superseded in-progress ones). */
    public List<JsonNode> documents() {
        return documents;
    }

    /** Nodes without a parent in this trace, by start time. */
    public List<TraceNode> roots() {
        return roots;
    }

    /** The one root; fails showing the tree when there are several (e.g. a subsegment whose parent never arrived). */
    public TraceNode root() {
        if (roots.size() != 1) {
            throw new AssertionError("Expected one root in trace " + traceId + " but found " + roots.size() + ":\n"
                    + render());
        }
        return roots.get(0);
    }

    /** Every node, in no particular order. */
    public List<TraceNode> nodes() {
        return List.copyOf(nodesById.values());
    }

    /** Nodes with this name anywhere in the trace. */
    public List<TraceNode> nodes(String name) {
        return nodesById.values().stream().filter(n -> n.name().equals(name)).collect(Collectors.toList());
    }

    /** The one node with this name anywhere in the trace; fails showing the tree otherwise. */
    public TraceNode node(String name) {
        List<TraceNode> matches = nodes(name);
        if (matches.size() != 1) {
            throw new AssertionError("Expected exactly one node named '" + name + "' in trace " + traceId + " but found "
                    + matches.size() + ":\n" + render());
        }
        return matches.get(0);
    }

    /** The node with this id; fails showing the tree when absent. */
    public TraceNode nodeById(String id) {
        TraceNode node = nodesById.get(id);
        if (node == null) {
            throw new AssertionError("No node with id " + id + " in trace " + traceId + ":\n" + render());
        }
        return node;
    }

    /** The tree, one line per node, indented under {@code trace <id>}. */
    public String render() {
        StringBuilder out = new StringBuilder("trace ").append(traceId).append('\n');
        roots.forEach(root -> root.render(out, "  "));
        return out.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
