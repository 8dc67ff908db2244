package dev.xraybatch.agent.cli.timeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** One segment or subsegment of an assembled trace, with its children ordered by start time. */
final class TimelineNode {
    final String id;
    final String name;
    final boolean segment;
    /** Epoch seconds. */
    final double start;
    /** Epoch seconds, or null while in progress. */
    final Double end;
    final boolean error;
    final boolean throttle;
    final boolean fault;
    /** The node's own document without its embedded {@code subsegments}: annotations, metadata, aws, http, cause. */
    final Map<String, Object> document;
    /** {@code metadata.xray_batch.summary} of a summary subsegment, else null. */
    final Map<String, Object> summary;
    /** True for a summary subsegment, also one recognised by name only (then {@link #summary} is null). */
    final boolean isSummary;
    /** True for the stand-in root of a trace whose root segment never arrived. */
    final boolean placeholder;
    final List<TimelineNode> children = new ArrayList<>();
    /** The id of the parent that is not in the trace, for a subsegment shown under the root instead. */
    String missingParentId;
    /** The name as shown: says what the row is where the name alone misleads (see {@link RowFacts}). */
    String label;
    /** A failed row's headline, one or two lines (the Python exception, then how it surfaced), or null. */
    List<String> failure;
    /** A {@code python udf} row whose task failed with a Python exception: that exception's headline, else null. */
    String raisedHere;
    /** The Python UDF time of a stage's row ("python udf f: 1.20 s in 4 tasks"), or null. */
    String python;

    TimelineNode(String id, String name, boolean segment, double start, Double end, boolean error, boolean throttle,
            boolean fault, Map<String, Object> document, Map<String, Object> summary, boolean isSummary,
            boolean placeholder) {
        this.id = id;
        this.name = name;
        this.segment = segment;
        this.start = start;
        this.end = end;
        this.error = error;
        this.throttle = throttle;
        this.fault = fault;
        this.document = document;
        this.summary = summary;
        this.isSummary = isSummary;
        this.placeholder = placeholder;
        this.label = name;
    }

    boolean inProgress() {
        return end == null;
    }

    boolean orphan() {
        return missingParentId != null;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> annotations() {
        Object annotations = document.get("annotations");
        return annotations instanceof Map ? (Map<String, Object>) annotations : Collections.<String, Object>emptyMap();
    }

    /** {@code aws.operation} ("GetObject"), shown beside the service name as the X-Ray console does. */
    @SuppressWarnings("unchecked")
    String operation() {
        Object aws = document.get("aws");
        Object operation = aws instanceof Map ? ((Map<String, Object>) aws).get("operation") : null;
        return operation instanceof String ? (String) operation : null;
    }
}
