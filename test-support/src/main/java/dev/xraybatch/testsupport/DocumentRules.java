package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * X-Ray's documented rules for one segment document (xray-protocol.md). Each problem says whether X-Ray rejects the
 * document ({@code InvalidTraceId}, {@code InvalidSegment}) or silently drops the offending part (no code).
 * Rules that span documents (unique ids, annotations per trace) live in {@link TraceStore}.
 */
final class DocumentRules {

    static final String INVALID_SEGMENT = "InvalidSegment";
    static final String INVALID_TRACE_ID = "InvalidTraceId";

    /** One broken rule; {@code errorCode} is null when X-Ray accepts the document and drops the part. */
    record Problem(String errorCode, String message) {
    }

    static final int MAX_DOCUMENT_BYTES = 64 * 1024;
    private static final Duration MAX_TRACE_AGE = Duration.ofDays(30);
    /** Trace ids take their epoch from the job's start on this same machine: a tiny allowance covers rounding. */
    private static final Duration TRACE_EPOCH_GRACE = Duration.ofSeconds(2);
    private static final int MAX_SEGMENT_NAME = 200;
    private static final int MAX_STRING = 250;
    private static final int MAX_ANNOTATION_VALUE = 1000;

    private static final Pattern TRACE_ID = Pattern.compile("1-([0-9a-f]{8})-[0-9a-f]{24}");
    private static final Pattern ENTITY_ID = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern SEGMENT_NAME = Pattern.compile("[\\p{L}\\p{N}\\p{Z}\\s_.:/%&#=+\\\\\\-@]+");
    private static final Pattern ANNOTATION_KEY = Pattern.compile("[A-Za-z0-9_]{1,500}");
    /** Epoch seconds of 2001-09-09; anything below is not epoch seconds, anything far above is milli/microseconds. */
    private static final double PLAUSIBLE_EPOCH_SECONDS_MIN = 1_000_000_000d;
    private static final double PLAUSIBLE_EPOCH_SECONDS_MAX = 10_000_000_000d;

    private DocumentRules() {
    }

    /** Size limit first: X-Ray measures the document as sent, in UTF-8 bytes. */
    static Problem checkSize(String rawDocument) {
        return checkSize(rawDocument.getBytes(StandardCharsets.UTF_8).length);
    }

    /** @param bytes the document's UTF-8 size */
    static Problem checkSize(int bytes) {
        if (bytes > MAX_DOCUMENT_BYTES) {
            return new Problem(INVALID_SEGMENT, "document is " + bytes + " bytes (UTF-8), over the 64 kB limit of "
                    + MAX_DOCUMENT_BYTES);
        }
        return null;
    }

    static List<Problem> check(JsonNode document, Instant now) {
        List<Problem> problems = new ArrayList<>();
        if (!document.isObject()) {
            problems.add(new Problem(INVALID_SEGMENT, "document is not a JSON object"));
            return problems;
        }
        checkTraceId(document, now, problems);

        String type = text(document, "type");
        boolean independentSubsegment = "subsegment".equals(type);
        if (type != null && !independentSubsegment) {
            problems.add(new Problem(INVALID_SEGMENT, "type is '" + type + "': only 'subsegment' is defined"));
        }
        if (independentSubsegment && !document.has("parent_id")) {
            problems.add(new Problem(INVALID_SEGMENT, "an independent subsegment needs parent_id"));
        }
        if (document.has("parent_id") && !isEntityId(document.get("parent_id"))) {
            problems.add(new Problem(INVALID_SEGMENT, "parent_id must be 16 lower-case hex digits, is "
                    + document.get("parent_id")));
        }
        checkEntity(document, "", !independentSubsegment, problems);
        return problems;
    }

    private static void checkTraceId(JsonNode document, Instant now, List<Problem> problems) {
        JsonNode traceId = document.get("trace_id");
        if (traceId == null) {
            problems.add(new Problem(INVALID_SEGMENT, "trace_id is required in a segment and an independent subsegment"));
            return;
        }
        var matcher = TRACE_ID.matcher(traceId.isTextual() ? traceId.asText() : "");
        if (!matcher.matches()) {
            problems.add(new Problem(INVALID_TRACE_ID, "trace_id must be 1-<8 hex epoch>-<24 hex>, is " + traceId));
            return;
        }
        Instant epoch = Instant.ofEpochSecond(Long.parseLong(matcher.group(1), 16));
        if (epoch.isBefore(now.minus(MAX_TRACE_AGE))) {
            problems.add(new Problem(INVALID_TRACE_ID, "trace_id epoch " + epoch + " is older than 30 days"));
        } else if (epoch.isAfter(now.plus(TRACE_EPOCH_GRACE))) {
            problems.add(new Problem(INVALID_TRACE_ID, "trace_id epoch " + epoch + " is in the future (now " + now + ")"));
        }
    }

    /** Rules shared by segments and (embedded or independent) subsegments; recurses into embedded subsegments. */
    private static void checkEntity(JsonNode entity, String path, boolean segment, List<Problem> problems) {
        String where = path.isEmpty() ? "" : path + ".";
        checkName(entity.get("name"), where, segment, problems);

        JsonNode id = entity.get("id");
        if (id == null) {
            problems.add(new Problem(INVALID_SEGMENT, where + "id is required"));
        } else if (!isEntityId(id)) {
            problems.add(new Problem(INVALID_SEGMENT, where + "id must be 16 lower-case hex digits, is " + id));
        }

        JsonNode start = entity.get("start_time");
        JsonNode end = entity.get("end_time");
        JsonNode inProgress = entity.get("in_progress");
        if (start == null || !start.isNumber()) {
            problems.add(new Problem(INVALID_SEGMENT, where + "start_time must be a number of epoch seconds"));
        } else {
            checkEpochSeconds(start, where + "start_time", problems);
        }
        boolean markedInProgress = inProgress != null && inProgress.asBoolean(false);
        if (inProgress != null && !inProgress.isBoolean()) {
            problems.add(new Problem(INVALID_SEGMENT, where + "in_progress must be a boolean"));
        }
        if (end != null && !end.isNumber()) {
            problems.add(new Problem(INVALID_SEGMENT, where + "end_time must be a number of epoch seconds"));
        } else if (end != null) {
            checkEpochSeconds(end, where + "end_time", problems);
            if (markedInProgress) {
                problems.add(new Problem(INVALID_SEGMENT, where + "has both end_time and in_progress: true"));
            }
            if (start != null && start.isNumber() && end.asDouble() < start.asDouble()) {
                problems.add(new Problem(INVALID_SEGMENT, where + "end_time " + plain(end) + " is before start_time "
                        + plain(start)));
            }
        } else if (!markedInProgress) {
            problems.add(new Problem(INVALID_SEGMENT, where + "needs end_time, or in_progress: true"));
        }

        checkAnnotations(entity.get("annotations"), where, problems);
        checkMetadata(entity.get("metadata"), where, problems);
        checkCause(entity.get("cause"), where, problems);
        checkIds(entity.get("precursor_ids"), where + "precursor_ids", problems);

        JsonNode subsegments = entity.get("subsegments");
        if (subsegments != null) {
            if (!subsegments.isArray()) {
                problems.add(new Problem(INVALID_SEGMENT, where + "subsegments must be an array"));
                return;
            }
            for (int i = 0; i < subsegments.size(); i++) {
                JsonNode child = subsegments.get(i);
                String childPath = where + "subsegments[" + i + "]";
                if (!child.isObject()) {
                    problems.add(new Problem(INVALID_SEGMENT, childPath + " is not an object"));
                } else {
                    checkEntity(child, childPath, false, problems);
                }
            }
        }
    }

    /** Segment names have a restricted alphabet; subsegment names are only bounded like other strings. */
    private static void checkName(JsonNode name, String where, boolean segment, List<Problem> problems) {
        if (name == null || !name.isTextual() || name.asText().isEmpty()) {
            problems.add(new Problem(INVALID_SEGMENT, where + "name is required (a non-empty string)"));
            return;
        }
        String value = name.asText();
        int length = value.codePointCount(0, value.length());
        int max = segment ? MAX_SEGMENT_NAME : MAX_STRING;
        if (length > max) {
            problems.add(new Problem(INVALID_SEGMENT, where + "name has " + length + " characters, over " + max));
        }
        if (segment && !SEGMENT_NAME.matcher(value).matches()) {
            problems.add(new Problem(INVALID_SEGMENT, where + "name '" + value + "' holds characters other than letters,"
                    + " digits, whitespace and _ . : / % & # = + \\ - @"));
        }
    }

    /** Catches milliseconds or microseconds sent where X-Ray expects epoch seconds. */
    private static void checkEpochSeconds(JsonNode time, String field, List<Problem> problems) {
        double seconds = time.asDouble();
        if (seconds < PLAUSIBLE_EPOCH_SECONDS_MIN || seconds > PLAUSIBLE_EPOCH_SECONDS_MAX) {
            problems.add(new Problem(null, field + " " + plain(time) + " is not epoch seconds"));
        }
    }

    /** X-Ray drops a bad annotation silently, so these do not reject the document. */
    private static void checkAnnotations(JsonNode annotations, String where, List<Problem> problems) {
        if (annotations == null) {
            return;
        }
        if (!annotations.isObject()) {
            problems.add(new Problem(null, where + "annotations must be an object"));
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = annotations.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> annotation = it.next();
            String key = annotation.getKey();
            JsonNode value = annotation.getValue();
            if (!ANNOTATION_KEY.matcher(key).matches()) {
                problems.add(new Problem(null, where + "annotation key '" + key + "' is not [A-Za-z0-9_]{1,500}"
                        + " (X-Ray drops it)"));
            }
            if (!(value.isTextual() || value.isNumber() || value.isBoolean())) {
                problems.add(new Problem(null, where + "annotation '" + key + "' is " + value.getNodeType()
                        + ": only string, number and boolean values are indexed (X-Ray drops it)"));
            } else if (value.isTextual() && value.asText().length() > MAX_ANNOTATION_VALUE) {
                problems.add(new Problem(null, where + "annotation '" + key + "' has " + value.asText().length()
                        + " characters, over " + MAX_ANNOTATION_VALUE));
            }
        }
    }

    private static void checkMetadata(JsonNode metadata, String where, List<Problem> problems) {
        if (metadata == null) {
            return;
        }
        if (!metadata.isObject()) {
            problems.add(new Problem(INVALID_SEGMENT, where + "metadata must be an object of namespaces"));
            return;
        }
        metadata.fieldNames().forEachRemaining(namespace -> {
            if (namespace.startsWith("AWS.")) {
                problems.add(new Problem(null, where + "metadata namespace '" + namespace + "' is reserved (AWS.)"));
            }
        });
    }

    /** The schema's cause definition is known to be wrong; these are the documented rules. */
    private static void checkCause(JsonNode cause, String where, List<Problem> problems) {
        if (cause == null) {
            return;
        }
        if (cause.isTextual()) {
            if (!isEntityId(cause)) {
                problems.add(new Problem(INVALID_SEGMENT, where + "cause as a string must be a 16-hex exception id"));
            }
            return;
        }
        if (!cause.isObject()) {
            problems.add(new Problem(INVALID_SEGMENT, where + "cause must be an exception id or an object"));
            return;
        }
        JsonNode exceptions = cause.get("exceptions");
        if (exceptions == null) {
            return;
        }
        if (!exceptions.isArray()) {
            problems.add(new Problem(INVALID_SEGMENT, where + "cause.exceptions must be an array"));
            return;
        }
        for (int i = 0; i < exceptions.size(); i++) {
            JsonNode exception = exceptions.get(i);
            String at = where + "cause.exceptions[" + i + "]";
            if (!isEntityId(exception.get("id"))) {
                problems.add(new Problem(INVALID_SEGMENT, at + ".id must be 16 lower-case hex digits"));
            }
            JsonNode causedBy = exception.get("cause");
            if (causedBy != null && !isEntityId(causedBy)) {
                problems.add(new Problem(INVALID_SEGMENT, at + ".cause must be the 16-hex id of another exception"));
            }
            JsonNode stack = exception.get("stack");
            if (stack != null && !stack.isArray()) {
                problems.add(new Problem(INVALID_SEGMENT, at + ".stack must be an array of frames"));
            }
        }
    }

    private static void checkIds(JsonNode ids, String field, List<Problem> problems) {
        if (ids == null) {
            return;
        }
        if (!ids.isArray()) {
            problems.add(new Problem(INVALID_SEGMENT, field + " must be an array of ids"));
            return;
        }
        for (JsonNode id : ids) {
            if (!isEntityId(id)) {
                problems.add(new Problem(INVALID_SEGMENT, field + " holds " + id + ", not a 16-hex id"));
            }
        }
    }

    static boolean isEntityId(JsonNode id) {
        return id != null && id.isTextual() && ENTITY_ID.matcher(id.asText()).matches();
    }

    private static String plain(JsonNode number) {
        return number.decimalValue().toPlainString();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() ? null : value.asText();
    }
}
