package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The segment document schema AWS published (draft-04), applied with networknt's validator. Its {@code cause}
 * definition rejects real exception objects (see xray-protocol.md), so that part is removed and cause is checked by
 * {@link DocumentRules} instead. Independent subsegments are checked against the schema's subsegment definition.
 */
final class SegmentSchema {

    static final String SCHEMA_FILE_PROPERTY = "schema.file";
    private static final String SCHEMA_IN_REPOSITORY = "shared/reference/xray-segment-schema-v1.0.0.json";

    private static SegmentSchema shared;

    private final JsonSchema segmentSchema;
    private final JsonSchema subsegmentSchema;

    private SegmentSchema(JsonNode schema) {
        ObjectNode withoutCause = schema.deepCopy();
        ((ObjectNode) withoutCause.path("properties")).remove("cause");
        ((ObjectNode) withoutCause.path("definitions").path("subsegment").path("properties")).remove("cause");

        ObjectNode subsegmentRoot = withoutCause.objectNode();
        subsegmentRoot.set("$schema", withoutCause.get("$schema"));
        subsegmentRoot.set("definitions", withoutCause.get("definitions"));
        subsegmentRoot.put("$ref", "#/definitions/subsegment");

        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
        this.segmentSchema = factory.getSchema(withoutCause);
        this.subsegmentSchema = factory.getSchema(subsegmentRoot);
    }

    /** Loaded once per test JVM; validation is thread-safe. */
    static synchronized SegmentSchema shared() {
        if (shared == null) {
            Path file = locate();
            try {
                shared = new SegmentSchema(new ObjectMapper().readTree(file.toFile()));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the segment schema " + file, e);
            }
        }
        return shared;
    }

    /** @return one line per schema error, empty when the document conforms. */
    List<String> validate(JsonNode document) {
        boolean independentSubsegment = "subsegment".equals(document.path("type").asText());
        JsonSchema schema = independentSubsegment ? subsegmentSchema : segmentSchema;
        return schema.validate(document).stream()
                .map(ValidationMessage::getMessage)
                .sorted()
                .collect(Collectors.toList());
    }

    /**
     * The system property {@value #SCHEMA_FILE_PROPERTY} when set, else {@value #SCHEMA_IN_REPOSITORY} in the working
     * directory or one of its parents: a clone keeps {@code shared/} beside the repository root.
     */
    private static Path locate() {
        String configured = System.getProperty(SCHEMA_FILE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path file = Paths.get(configured).toAbsolutePath().normalize();
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("System property " + SCHEMA_FILE_PROPERTY + " names " + file
                        + ", which does not exist.");
            }
            return file;
        }
        Path start = Paths.get("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(SCHEMA_IN_REPOSITORY);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("Segment schema not found: set -D" + SCHEMA_FILE_PROPERTY + "=<path>, or keep "
                + SCHEMA_IN_REPOSITORY + " in " + start + " or one of its parents.");
    }
}
