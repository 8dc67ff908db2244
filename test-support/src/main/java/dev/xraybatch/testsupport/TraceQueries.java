package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * X-Ray's read operations over what the endpoint accepted, answered in the shapes of the API model (the AWS SDK's
 * {@code xray} service-2.json, 2016-04-12): BatchGetTraces (https://docs.aws.amazon.com/xray/latest/api/API_BatchGetTraces.html)
 * and GetTraceSummaries (https://docs.aws.amazon.com/xray/latest/api/API_GetTraceSummaries.html). Everything fits
 * one page, so no {@code NextToken} is ever returned. Not thread-safe: {@link LocalXRayEndpoint} guards it.
 */
final class TraceQueries {

    /** BatchGetTraces' TraceIds: "Minimum number of 1 item. Maximum number of 5 items." */
    static final int MAX_TRACE_IDS = 5;
    /** The model's FilterExpression shape: max 2000. */
    static final int MAX_FILTER_EXPRESSION = 2000;

    /** A request X-Ray would answer with InvalidRequestException (400), or one this stand-in cannot answer. */
    static final class InvalidRequest extends Exception {
        InvalidRequest(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TraceStore store;
    private final TraceQuota quota;

    TraceQueries(TraceStore store, TraceQuota quota) {
        this.store = store;
        this.quota = quota;
    }

    // ---------------------------------------------------------------- BatchGetTraces

    ObjectNode batchGetTraces(JsonNode request) throws InvalidRequest {
        JsonNode ids = request.get("TraceIds");
        if (ids == null || !ids.isArray() || ids.isEmpty()) {
            throw new InvalidRequest("1 validation error detected: Value null at 'traceIds' failed to satisfy"
                    + " constraint: Member must not be null and must hold at least 1 trace id");
        }
        if (ids.size() > MAX_TRACE_IDS) {
            throw new InvalidRequest("1 validation error detected: Value '" + ids + "' at 'traceIds' failed to satisfy"
                    + " constraint: Member must have length less than or equal to " + MAX_TRACE_IDS);
        }
        ObjectNode reply = JSON.createObjectNode();
        ArrayNode traces = reply.putArray("Traces");
        ArrayNode unprocessed = reply.putArray("UnprocessedTraceIds");
        Set<String> seen = new LinkedHashSet<>();
        for (JsonNode id : ids) {
            if (!id.isTextual()) {
                throw new InvalidRequest("TraceIds must be strings, got " + id);
            }
            String traceId = id.asText();
            if (!seen.add(traceId)) {
                continue;
            }
            List<JsonNode> documents = store.documents(traceId);
            if (documents.isEmpty()) {
                // As X-Ray answers an id it does not know (never sent, not yet indexed, or expired).
                unprocessed.add(traceId);
                continue;
            }
            traces.add(trace(Trace.of(traceId, documents)));
        }
        return reply;
    }

    /**
     * One Trace: a Segment per segment, its document the latest version with every subsegment in it, whether sent
     * embedded or on its own (X-Ray stores subsegments in their segment). A subsegment whose segment never arrived
     * stays a document of its own.
     */
    private ObjectNode trace(Trace trace) {
        ObjectNode json = JSON.createObjectNode().put("Id", trace.traceId());
        Double duration = duration(trace);
        if (duration != null) {
            json.put("Duration", duration);
        }
        json.put("LimitExceeded", quota.limitExceeded(trace.traceId()));
        ArrayNode segments = json.putArray("Segments");
        List<TraceNode> tops = new ArrayList<>();
        for (TraceNode node : trace.nodes()) {
            if (node.isSegment() || node.parent().isEmpty()) {
                tops.add(node);
            }
        }
        tops.sort(Comparator.comparingDouble(TraceNode::startTime));
        for (TraceNode top : tops) {
            segments.addObject().put("Id", top.id()).put("Document", document(top, true).toString());
        }
        return json;
    }

    private static ObjectNode document(TraceNode node, boolean topLevel) {
        ObjectNode json = node.json().deepCopy();
        if (!topLevel) {
            // Fields of an independent subsegment that mean nothing once it sits inside its parent.
            json.remove(List.of("type", "trace_id", "parent_id"));
        }
        ArrayNode subsegments = null;
        for (TraceNode child : node.children()) {
            if (child.isSegment()) {
                continue; // a segment of its own, e.g. an executor's under the driver's subsegment
            }
            if (subsegments == null) {
                subsegments = json.putArray("subsegments");
            }
            subsegments.add(document(child, false));
        }
        return json;
    }

    /** From the earliest segment start to the last end of anything that completed; null while nothing did. */
    private static Double duration(Trace trace) {
        double start = earliestSegmentStart(trace);
        double end = Double.NaN;
        for (TraceNode node : trace.nodes()) {
            if (!Double.isNaN(node.endTime()) && (Double.isNaN(end) || node.endTime() > end)) {
                end = node.endTime();
            }
        }
        return Double.isNaN(start) || Double.isNaN(end) ? null : end - start;
    }

    private static double earliestSegmentStart(Trace trace) {
        double start = Double.NaN;
        for (TraceNode node : trace.nodes()) {
            if ((node.isSegment() || node.parent().isEmpty()) && (Double.isNaN(start) || node.startTime() < start)) {
                start = node.startTime();
            }
        }
        return start;
    }

    // ---------------------------------------------------------------- GetTraceSummaries

    private enum TimeRangeType {
        /** The trace id's epoch, i.e. the trace's start (the default). */
        TraceId,
        /** When the trace was last updated: its last accepted document, on the endpoint's clock. */
        Event,
        /** The end time of one of its segments. */
        Service
    }

    ObjectNode getTraceSummaries(JsonNode request) throws InvalidRequest {
        double from = requiredTime(request, "StartTime");
        double to = requiredTime(request, "EndTime");
        if (to < from) {
            throw new InvalidRequest("EndTime " + to + " is before StartTime " + from);
        }
        TimeRangeType rangeType = timeRangeType(request.get("TimeRangeType"));
        if (request.path("Sampling").asBoolean(false)) {
            throw new InvalidRequest("Sampling: true is not supported by the local X-Ray endpoint (it would answer a"
                    + " sample X-Ray chooses); leave Sampling out to get every trace");
        }
        if (request.hasNonNull("NextToken")) {
            throw new InvalidRequest("NextToken '" + request.get("NextToken").asText() + "' was never issued: the local"
                    + " endpoint answers everything in one page");
        }
        JsonNode expression = request.get("FilterExpression");
        if (expression != null && !expression.isNull() && !expression.isTextual()) {
            throw new InvalidRequest("FilterExpression must be a string");
        }
        String filterText = expression == null || expression.isNull() ? null : expression.asText();
        if (filterText != null && filterText.length() > MAX_FILTER_EXPRESSION) {
            throw new InvalidRequest("1 validation error detected: Value at 'filterExpression' failed to satisfy"
                    + " constraint: Member must have length less than or equal to " + MAX_FILTER_EXPRESSION);
        }
        AnnotationFilter filter;
        try {
            filter = AnnotationFilter.parse(filterText);
        } catch (AnnotationFilter.Unsupported e) {
            throw new InvalidRequest(e.getMessage());
        }

        List<ObjectNode> summaries = new ArrayList<>();
        long processed = 0;
        for (String traceId : store.traceIds()) {
            Trace trace = Trace.of(traceId, store.documents(traceId));
            if (!inRange(trace, rangeType, from, to)) {
                continue;
            }
            processed++;
            if (filter.matches(trace)) {
                summaries.add(summary(trace));
            }
        }
        // X-Ray's first page holds the most recent traces.
        summaries.sort(Comparator.comparingDouble((ObjectNode s) -> s.path("StartTime").asDouble()).reversed());
        ObjectNode reply = JSON.createObjectNode();
        reply.putArray("TraceSummaries").addAll(summaries);
        reply.put("TracesProcessedCount", processed);
        return reply;
    }

    private static double requiredTime(JsonNode request, String field) throws InvalidRequest {
        JsonNode time = request.get(field);
        if (time == null || !time.isNumber()) {
            throw new InvalidRequest("1 validation error detected: Value at '" + Character.toLowerCase(field.charAt(0))
                    + field.substring(1) + "' failed to satisfy constraint: Member must not be null (epoch seconds)");
        }
        return time.asDouble();
    }

    private static TimeRangeType timeRangeType(JsonNode value) throws InvalidRequest {
        if (value == null || value.isNull()) {
            return TimeRangeType.TraceId;
        }
        for (TimeRangeType type : TimeRangeType.values()) {
            if (type.name().equals(value.asText())) {
                return type;
            }
        }
        throw new InvalidRequest("1 validation error detected: Value '" + value.asText() + "' at 'timeRangeType' failed"
                + " to satisfy constraint: Member must satisfy enum value set: [TraceId, Event, Service]");
    }

    private boolean inRange(Trace trace, TimeRangeType type, double from, double to) {
        switch (type) {
            case TraceId -> {
                double epoch = Long.parseLong(trace.traceId().substring(2, 10), 16);
                return epoch >= from && epoch <= to;
            }
            case Event -> {
                Instant updated = store.lastUpdated(trace.traceId());
                double seconds = updated.getEpochSecond() + updated.getNano() / 1e9;
                return seconds >= from && seconds <= to;
            }
            default -> {
                for (TraceNode node : trace.nodes()) {
                    if (node.isSegment() && node.endTime() >= from && node.endTime() <= to) {
                        return true;
                    }
                }
                return false;
            }
        }
    }

    /** The TraceSummary shape: what X-Ray derives from the trace's documents. */
    private ObjectNode summary(Trace trace) {
        ObjectNode json = JSON.createObjectNode().put("Id", trace.traceId());
        TraceNode root = rootSegment(trace);
        double start = earliestSegmentStart(trace);
        if (!Double.isNaN(start)) {
            json.put("StartTime", start);
        }
        Double duration = duration(trace);
        if (duration != null) {
            json.put("Duration", duration);
        }
        if (root != null && !Double.isNaN(root.endTime())) {
            json.put("ResponseTime", root.endTime() - root.startTime());
        }
        // HasFault and HasError describe the root segment; HasThrottle and IsPartial any document (the model's words).
        json.put("HasFault", root != null && root.get("fault").asBoolean(false));
        json.put("HasError", root != null && root.get("error").asBoolean(false));
        json.put("HasThrottle", trace.nodes().stream().anyMatch(n -> n.get("throttle").asBoolean(false)));
        json.put("IsPartial", trace.nodes().stream().anyMatch(TraceNode::isInProgress));
        json.set("Annotations", annotations(trace));
        ArrayNode services = json.putArray("ServiceIds");
        Set<String> named = new LinkedHashSet<>();
        for (TraceNode node : trace.nodes()) {
            if (node.isSegment() && named.add(node.name())) {
                services.add(serviceId(node));
            }
        }
        if (root != null) {
            json.set("EntryPoint", serviceId(root));
        }
        // Each burst after the first is a revision, as the knowledge center calls them (see TraceQuota).
        json.put("Revision", Math.max(0, quota.bursts(trace.traceId()) - 1));
        return json;
    }

    /** The segment without parent_id that started first, else the earliest segment; null with only subsegments. */
    private static TraceNode rootSegment(Trace trace) {
        TraceNode best = null;
        for (TraceNode node : trace.nodes()) {
            if (!node.isSegment()) {
                continue;
            }
            boolean parentless = !node.json().hasNonNull("parent_id");
            boolean bestParentless = best != null && !best.json().hasNonNull("parent_id");
            if (best == null || (parentless && !bestParentless)
                    || (parentless == bestParentless && node.startTime() < best.startTime())) {
                best = node;
            }
        }
        return best;
    }

    /** {@code key -> [{AnnotationValue: {StringValue|NumberValue|BooleanValue}, ServiceIds: [...]}]}, one entry per value. */
    private static ObjectNode annotations(Trace trace) {
        Map<String, Map<String, ObjectNode>> byKey = new LinkedHashMap<>();
        Map<ObjectNode, Set<String>> servicesOf = new LinkedHashMap<>();
        for (TraceNode node : trace.nodes()) {
            TraceNode service = segmentOf(node);
            node.get("annotations").fields().forEachRemaining(annotation -> {
                JsonNode value = annotation.getValue();
                ObjectNode annotationValue = annotationValue(value);
                if (annotationValue == null) {
                    return; // X-Ray indexes strings, numbers and booleans only
                }
                String valueKey = annotationValue.toString();
                Map<String, ObjectNode> values = byKey.computeIfAbsent(annotation.getKey(), k -> new LinkedHashMap<>());
                ObjectNode entry = values.get(valueKey);
                if (entry == null) {
                    entry = JSON.createObjectNode();
                    entry.set("AnnotationValue", annotationValue);
                    entry.putArray("ServiceIds");
                    values.put(valueKey, entry);
                    servicesOf.put(entry, new LinkedHashSet<>());
                }
                if (service != null && servicesOf.get(entry).add(service.name())) {
                    ((ArrayNode) entry.get("ServiceIds")).add(serviceId(service));
                }
            });
        }
        ObjectNode json = JSON.createObjectNode();
        byKey.forEach((key, values) -> json.putArray(key).addAll(values.values()));
        return json;
    }

    private static ObjectNode annotationValue(JsonNode value) {
        ObjectNode json = JSON.createObjectNode();
        if (value.isTextual()) {
            return json.put("StringValue", value.asText());
        }
        if (value.isNumber()) {
            return json.put("NumberValue", value.asDouble());
        }
        if (value.isBoolean()) {
            return json.put("BooleanValue", value.asBoolean());
        }
        return null;
    }

    private static TraceNode segmentOf(TraceNode node) {
        TraceNode at = node;
        while (at != null && !at.isSegment()) {
            at = at.parent().orElse(null);
        }
        return at;
    }

    /** The ServiceId shape: a segment's name, and its origin and account when the segment has them. */
    private static ObjectNode serviceId(TraceNode segment) {
        ObjectNode json = JSON.createObjectNode().put("Name", segment.name());
        json.putArray("Names").add(segment.name());
        JsonNode account = segment.get("aws").path("account_id");
        if (account.isTextual()) {
            json.put("AccountId", account.asText());
        }
        JsonNode origin = segment.get("origin");
        if (origin.isTextual()) {
            json.put("Type", origin.asText());
        }
        return json;
    }
}
