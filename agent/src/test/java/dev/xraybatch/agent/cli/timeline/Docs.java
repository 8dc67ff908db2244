package dev.xraybatch.agent.cli.timeline;

import dev.xraybatch.agent.json.JsonReader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Segment documents for tests, shaped as the agent sends them to PutTraceSegments. */
final class Docs {
    static final String TRACE = "1-65a1b2c3-0123456789abcdef01234567";
    static final String OTHER_TRACE = "1-65a1b2d0-fedcba9876543210fedcba98";
    static final double T0 = 1705053072.0;

    private final Map<String, Object> fields = new LinkedHashMap<>();

    private Docs(String name, String id, double startOffset) {
        fields.put("name", name);
        fields.put("id", id);
        fields.put("start_time", T0 + startOffset);
    }

    static Docs segment(String name, String id, double start, double end) {
        return new Docs(name, id, start).put("trace_id", TRACE).put("end_time", T0 + end);
    }

    /** An independent subsegment: sent on its own with type, trace_id and parent_id. */
    static Docs subsegment(String name, String id, String parentId, double start, double end) {
        return new Docs(name, id, start).put("type", "subsegment").put("trace_id", TRACE).put("parent_id", parentId)
                .put("end_time", T0 + end);
    }

    /** A subsegment for a parent's {@code subsegments} array: no type, trace_id or parent_id. */
    static Docs embedded(String name, String id, double start, double end) {
        return new Docs(name, id, start).put("end_time", T0 + end);
    }

    Docs inProgress() {
        fields.remove("end_time");
        return put("in_progress", true);
    }

    Docs put(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    Docs children(Docs... children) {
        List<Object> list = new ArrayList<>();
        for (Docs child : children) {
            list.add(child.map());
        }
        return put("subsegments", list);
    }

    Docs annotation(String key, Object value) {
        return putIn("annotations", key, value);
    }

    Docs summary(Map<String, Object> stats) {
        return putIn("metadata", "xray_batch", map("summary", stats));
    }

    Docs cause(String type, String message, String frameLabel) {
        Map<String, Object> frame = map("path", "Convert.java", "line", 42L, "label", frameLabel);
        Map<String, Object> exception = map("id", "e000000000000001", "type", type, "message", message,
                "stack", new ArrayList<Object>(Arrays.asList(frame)));
        return put("cause", map("working_directory", "/app", "exceptions",
                new ArrayList<Object>(Arrays.asList(exception))));
    }

    @SuppressWarnings("unchecked")
    private Docs putIn(String field, String key, Object value) {
        ((Map<String, Object>) fields.computeIfAbsent(field, k -> new LinkedHashMap<String, Object>())).put(key, value);
        return this;
    }

    Map<String, Object> map() {
        return fields;
    }

    String json() {
        return ScriptJson.write(fields);
    }

    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static List<Trace> assemble(Docs... documents) {
        TraceAssembler assembler = new TraceAssembler();
        int line = 0;
        for (Docs document : documents) {
            // Through text and back, as the command reads them.
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = (Map<String, Object>) JsonReader.parse(document.json());
            assembler.add(parsed, "line " + ++line);
        }
        return assembler.assemble();
    }

    /**
     * A job with everything the views must mark: a segment in progress then complete, an independent subsegment
     * with embedded children (one throttled), a fault with an exception, a summary, a subsegment still in progress,
     * an orphan, and a name that is markup.
     */
    static Docs[] richJob() {
        return new Docs[] {
            segment("convert-json-to-avro", "a000000000000001", 0, 0).inProgress().annotation("job_id", "batch-1"),
            subsegment("S3", "b000000000000001", "a000000000000001", 0.1, 0.35).put("namespace", "aws")
                    .put("aws", map("operation", "ListObjectsV2", "region", "eu-west-1")),
            subsegment("convert in/a.json", "b000000000000002", "a000000000000001", 0.4, 2.0).children(
                    embedded("S3", "c000000000000001", 0.41, 0.6).put("namespace", "aws")
                            .put("aws", map("operation", "GetObject")),
                    embedded("S3", "c000000000000002", 1.8, 1.95).put("namespace", "aws").put("error", true)
                            .put("throttle", true).put("aws", map("operation", "PutObject"))
                            .put("http", map("response", map("status", 429L)))),
            subsegment("convert in/b.json", "b000000000000003", "a000000000000001", 2.1, 2.9).put("fault", true)
                    .cause("org.apache.avro.AvroTypeException", "Expected long, got \"x\"", "JsonDecoder.readLong"),
            subsegment("S3", "b000000000000004", "a000000000000001", 3.0, 6.0).put("namespace", "aws")
                    .put("aws", map("operation", "GetObject")).put("error", true)
                    .summary(map("limit", 100L, "count", 1204L, "errors", 3L, "faults", 0L, "throttles", 0L,
                            "total_ms", 2950.5, "min_ms", 0.8, "max_ms", 140.2,
                            "slowest", map("duration_ms", 140.2, "aws", map("request_id", "REQ123")))),
            subsegment("late <img src=x onerror=alert(1)></script>", "b000000000000005", "ffffffffffffffff", 6.4,
                    6.9).annotation("note", "<b>bold</b> & \"quoted\""),
            segment("convert-json-to-avro", "a000000000000001", 0, 8.0).annotation("job_id", "batch-1")
                    .annotation("files", 2L),
            subsegment("upload", "b000000000000006", "a000000000000001", 7.0, 0).inProgress(),
        };
    }

    /** One segment with {@code count} subsegments: groups of 100 under 100 parents, every 97th with an error. */
    static Docs[] bigJob(int count) {
        List<Docs> documents = new ArrayList<>();
        documents.add(segment("big-job", "a000000000000001", 0, 1000));
        int groups = count / 100;
        for (int g = 0; g < groups; g++) {
            String groupId = String.format("%016x", 0x100000L + g);
            documents.add(subsegment("stage " + g, groupId, "a000000000000001", g * 10.0, g * 10.0 + 9.9));
        }
        for (int i = 0; i < count - groups; i++) {
            int g = i % groups;
            double start = g * 10.0 + (i / groups) * 0.1;
            Docs call = subsegment("call " + i, String.format("%016x", 0x200000L + i),
                    String.format("%016x", 0x100000L + g), start, start + 0.05);
            if (i % 97 == 0) {
                call.put("error", true);
            }
            documents.add(call);
        }
        return documents.toArray(new Docs[0]);
    }
}
