package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/** Builds segment documents the way a correct agent would, so each test only changes what it is about. */
final class Documents {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Documents() {
    }

    static String newTraceId() {
        return newTraceId(Instant.now());
    }

    static String newTraceId(Instant epoch) {
        return String.format("1-%08x-%s", epoch.getEpochSecond(), randomHex(12));
    }

    static String newId() {
        return randomHex(8);
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    /** A complete segment that started a second ago. */
    static ObjectNode segment(String traceId, String id, String name) {
        double end = now();
        return JSON.createObjectNode()
                .put("name", name)
                .put("id", id)
                .put("trace_id", traceId)
                .put("start_time", end - 1)
                .put("end_time", end);
    }

    /** A complete segment that ended at {@code end} and took a second: for tests on a {@link SimulatedClock}. */
    static ObjectNode segment(String traceId, String id, String name, Instant end) {
        double endSeconds = end.toEpochMilli() / 1000.0;
        return JSON.createObjectNode()
                .put("name", name)
                .put("id", id)
                .put("trace_id", traceId)
                .put("start_time", endSeconds - 1)
                .put("end_time", endSeconds);
    }

    /**
     * Pads the document with metadata so that it is exactly {@code bytes} UTF-8 bytes as sent ({@code toString()},
     * which is what {@link XRayClients#put} sends).
     */
    static ObjectNode ofSize(ObjectNode document, int bytes) {
        ObjectNode padding = document.withObject("metadata").withObject("test");
        padding.put("padding", "");
        int missing = bytes - size(document);
        if (missing < 0) {
            throw new IllegalArgumentException("document is already " + size(document) + " bytes, over " + bytes);
        }
        padding.put("padding", "x".repeat(missing));
        return document;
    }

    static int size(ObjectNode document) {
        return document.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** The same segment while still running. */
    static ObjectNode inProgressSegment(String traceId, String id, String name) {
        ObjectNode segment = segment(traceId, id, name);
        segment.remove("end_time");
        segment.put("in_progress", true);
        return segment;
    }

    /** A complete subsegment to embed in a parent's {@code subsegments}. */
    static ObjectNode subsegment(String id, String name) {
        double end = now();
        return JSON.createObjectNode()
                .put("name", name)
                .put("id", id)
                .put("start_time", end - 0.5)
                .put("end_time", end);
    }

    /** A complete subsegment sent on its own under {@code parentId}. */
    static ObjectNode independentSubsegment(String traceId, String id, String parentId, String name) {
        return subsegment(id, name)
                .put("type", "subsegment")
                .put("trace_id", traceId)
                .put("parent_id", parentId);
    }

    /** Appends embedded subsegments to a document or subsegment. */
    static ObjectNode embed(ObjectNode parent, ObjectNode... children) {
        for (ObjectNode child : children) {
            parent.withArray("subsegments").add(child);
        }
        return parent;
    }
}
