package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A segment or subsegment in a reconstructed {@link Trace}, with its children, whether they arrived embedded in its
 * document or as independent subsegments naming it as {@code parent_id}. Navigation methods that expect exactly one
 * match fail with an {@link AssertionError} that shows the whole tree.
 */
public final class TraceNode {

    private final Entity entity;
    private final List<TraceNode> children = new ArrayList<>();
    private TraceNode parent;
    private Trace trace;

    TraceNode(Entity entity) {
        this.entity = entity;
    }

    void attach(TraceNode child) {
        child.parent = this;
        children.add(child);
    }

    void sortChildren() {
        children.sort((a, b) -> Double.compare(a.startTime(), b.startTime()));
        children.forEach(TraceNode::sortChildren);
    }

    void belongTo(Trace owner) {
        this.trace = owner;
        children.forEach(child -> child.belongTo(owner));
    }

    /** The 16-hex id. */
    public String id() {
        return entity.id();
    }

    /** The {@code name} field. */
    public String name() {
        return entity.fields().path("name").asText();
    }

    /** True for a segment, false for a subsegment (embedded or independent). */
    public boolean isSegment() {
        return entity.segment();
    }

    /** True when the latest document for this entity is still {@code in_progress}. */
    public boolean isInProgress() {
        return entity.inProgress();
    }

    /** The entity's own JSON (all fields except {@code subsegments}); read-only by convention. */
    public ObjectNode json() {
        return entity.fields();
    }

    /** A field of the entity's JSON, or a missing node: {@code node.get("aws").path("operation")}. */
    public JsonNode get(String field) {
        return entity.fields().path(field);
    }

    /** An annotation's value, or a missing node. */
    public JsonNode annotation(String key) {
        return entity.fields().path("annotations").path(key);
    }

    /** A metadata value, or a missing node. */
    public JsonNode metadata(String namespace, String key) {
        return entity.fields().path("metadata").path(namespace).path(key);
    }

    /**
     * A stretch of the job's time outside subsegments that the agent's gap sampler named from stack samples
     * (metadata {@code gaps.samples}): how many there are, and where, depends on how busy the machine was, so a
     * test that expects a trace's exact structure leaves them out.
     */
    public boolean isSampled() {
        return !metadata("gaps", "samples").isMissingNode();
    }

    /** The children that are not sampled stretches ({@link #isSampled}): the structure a job's code made. */
    public List<TraceNode> childrenNotSampled() {
        List<TraceNode> made = new ArrayList<>();
        for (TraceNode child : children) {
            if (!child.isSampled()) {
                made.add(child);
            }
        }
        return made;
    }

    public double startTime() {
        return entity.fields().path("start_time").asDouble();
    }

    /** The end time, or NaN while in progress. */
    public double endTime() {
        JsonNode end = entity.fields().get("end_time");
        return end == null ? Double.NaN : end.asDouble();
    }

    /** True when any of {@code error}, {@code fault}, {@code throttle} is set. */
    public boolean hasFailed() {
        return get("error").asBoolean(false) || get("fault").asBoolean(false) || get("throttle").asBoolean(false);
    }

    /** The parent node, empty for a root. */
    public Optional<TraceNode> parent() {
        return Optional.ofNullable(parent);
    }

    /** Children ordered by start time. */
    public List<TraceNode> children() {
        return Collections.unmodifiableList(children);
    }

    /** Children with this name, in start-time order. */
    public List<TraceNode> children(String name) {
        return children.stream().filter(c -> c.name().equals(name)).collect(Collectors.toList());
    }

    /** The one child with this name; fails showing the tree when there is none or more than one. */
    public TraceNode child(String name) {
        return exactlyOne(children(name), "child '" + name + "' of '" + name() + "'");
    }

    /** True when a direct child has this name. */
    public boolean hasChild(String name) {
        return !children(name).isEmpty();
    }

    /**
     * The stretches of this entity's time, longer than {@code minSeconds}, that none of its children covers
     * (children may overlap): time the trace does not explain. Each gap as "start-end" offsets in seconds from
     * this entity's start, with the names of the children around it.
     */
    public List<String> uncoveredGaps(double minSeconds) {
        List<String> gaps = new ArrayList<>();
        double coveredUntil = startTime();
        String before = "(start)";
        for (TraceNode child : children) { // sorted by start time
            if (child.startTime() - coveredUntil > minSeconds) {
                gaps.add(String.format("%.3f-%.3f s between '%s' and '%s'", coveredUntil - startTime(),
                        child.startTime() - startTime(), before, child.name()));
            }
            if (child.endTime() > coveredUntil) {
                coveredUntil = child.endTime();
                before = child.name();
            }
        }
        if (endTime() - coveredUntil > minSeconds) {
            gaps.add(String.format("%.3f-%.3f s between '%s' and (end)", coveredUntil - startTime(),
                    endTime() - startTime(), before));
        }
        return gaps;
    }

    /** The share (0..1) of this entity's time that its children cover, overlaps counted once. */
    public double coveredShare() {
        double duration = endTime() - startTime();
        if (duration <= 0) {
            return 1.0;
        }
        double covered = 0;
        double coveredUntil = startTime();
        for (TraceNode child : children) { // sorted by start time
            double from = Math.max(child.startTime(), coveredUntil);
            double to = Math.min(child.endTime(), endTime());
            if (to > from) {
                covered += to - from;
                coveredUntil = to;
            }
        }
        return covered / duration;
    }

    /** All nodes below this one (not itself), depth-first. */
    public List<TraceNode> descendants() {
        List<TraceNode> all = new ArrayList<>();
        for (TraceNode child : children) {
            all.add(child);
            all.addAll(child.descendants());
        }
        return all;
    }

    /** Descendants with this name, depth-first. */
    public List<TraceNode> descendants(String name) {
        return descendants().stream().filter(d -> d.name().equals(name)).collect(Collectors.toList());
    }

    /** The one descendant with this name, at any depth; fails showing the tree otherwise. */
    public TraceNode descendant(String name) {
        return exactlyOne(descendants(name), "descendant '" + name + "' of '" + name() + "'");
    }

    /** This node and its subtree, one line per node, indented. */
    public String render() {
        StringBuilder out = new StringBuilder();
        render(out, "");
        return out.toString();
    }

    void render(StringBuilder out, String indent) {
        out.append(indent).append(name()).append(" [").append(isSegment() ? "segment " : "").append(id());
        if (isInProgress()) {
            out.append(", in progress");
        }
        if (hasFailed()) {
            out.append(", failed");
        }
        out.append("]\n");
        for (TraceNode child : children) {
            child.render(out, indent + "  ");
        }
    }

    private TraceNode exactlyOne(List<TraceNode> matches, String what) {
        if (matches.size() == 1) {
            return matches.get(0);
        }
        String tree = trace == null ? render() : trace.render();
        throw new AssertionError("Expected exactly one " + what + " but found " + matches.size() + " in:\n" + tree);
    }

    @Override
    public String toString() {
        return name() + " [" + id() + "]";
    }
}
