package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.PutTraceSegmentsResponse;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static dev.xraybatch.testsupport.Documents.embed;
import static dev.xraybatch.testsupport.Documents.independentSubsegment;
import static dev.xraybatch.testsupport.Documents.newId;
import static dev.xraybatch.testsupport.Documents.newTraceId;
import static dev.xraybatch.testsupport.Documents.segment;
import static dev.xraybatch.testsupport.Documents.subsegment;
import static dev.xraybatch.testsupport.XRayClients.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Each protocol rule and the schema, through the real SDK: what X-Ray rejects, what it drops, what it accepts. */
class DocumentChecksTest {

    private final LocalXRayEndpoint endpoint = LocalXRayEndpoint.start();
    private final XRayClient client = XRayClients.singleAttempt(endpoint);

    @AfterEach
    void stop() {
        client.close();
        endpoint.close();
    }

    static Stream<Arguments> brokenDocuments() {
        return Stream.of(
                broken("InvalidTraceId", "trace_id must be", d -> d.put("trace_id", "1-abc-123")),
                broken("InvalidTraceId", "in the future",
                        d -> d.put("trace_id", newTraceId(Instant.now().plus(Duration.ofDays(1))))),
                broken("InvalidSegment", "id must be 16 lower-case hex", d -> d.put("id", "ABCDEF0123456789")),
                broken("InvalidSegment", "name is required", d -> d.remove("name")),
                broken("InvalidSegment", "holds characters other than", d -> d.put("name", "collect (stage 3)")),
                broken("InvalidSegment", "201 characters, over 200", d -> d.put("name", "n".repeat(201))),
                broken("InvalidSegment", "start_time must be a number", d -> d.remove("start_time")),
                broken("InvalidSegment", "both end_time and in_progress", d -> d.put("in_progress", true)),
                broken("InvalidSegment", "needs end_time, or in_progress", d -> d.remove("end_time")),
                broken("InvalidSegment", "independent subsegment needs parent_id",
                        d -> d.put("type", "subsegment")),
                broken("InvalidSegment", "only 'subsegment' is defined", d -> d.put("type", "segment")),
                broken("InvalidSegment", "over the 64 kB limit",
                        d -> d.putObject("metadata").putObject("job").put("blob", "x".repeat(64 * 1024))),
                broken("InvalidSegment", "subsegments[0].id is required",
                        d -> embed(d, (ObjectNode) subsegment(newId(), "read").without("id"))),
                broken("InvalidSegment", "cause.exceptions[0].id must be",
                        d -> d.putObject("cause").putArray("exceptions").addObject().put("message", "boom")),
                broken(null, "is not epoch seconds", d -> d.put("start_time", d.get("start_time").asDouble() * 1000)
                        .put("end_time", d.get("end_time").asDouble() * 1000)),
                broken(null, "annotation key 'bad-key'", d -> d.putObject("annotations").put("bad-key", 1)),
                broken(null, "only string, number and boolean",
                        d -> d.putObject("annotations").putObject("nested")),
                broken(null, "reserved (AWS.)", d -> d.putObject("metadata").putObject("AWS.job"))
        );
    }

    private static Arguments broken(String errorCode, String message, Consumer<ObjectNode> breakIt) {
        return arguments(errorCode, message, breakIt);
    }

    @ParameterizedTest(name = "[{index}] {0}: {1}")
    @MethodSource("brokenDocuments")
    void recordsEachBrokenRuleAndAnswersLikeXRay(String errorCode, String message, Consumer<ObjectNode> breakIt) {
        ObjectNode document = segment(newTraceId(), newId(), "job");
        breakIt.accept(document);

        PutTraceSegmentsResponse response = put(client, document);

        List<Violation> protocol = endpoint.violations().stream()
                .filter(v -> v.source() == Violation.Source.PROTOCOL).toList();
        assertThat(protocol).anySatisfy(v -> {
            assertThat(v.message()).contains(message);
            assertThat(v.errorCode()).isEqualTo(errorCode);
        });
        if (errorCode == null) {
            assertThat(response.unprocessedTraceSegments()).isEmpty();
            assertThat(endpoint.documents()).containsExactly(document);
        } else {
            assertThat(response.unprocessedTraceSegments()).singleElement().satisfies(u -> {
                assertThat(u.errorCode()).isEqualTo(errorCode);
                assertThat(u.message()).contains(message);
            });
            assertThat(endpoint.documents()).isEmpty();
        }
    }

    @Test
    void aStringThatIsNotJsonIsAnInvalidSegment() {
        PutTraceSegmentsResponse response = put(client, List.of("{\"name\": \"job\", "));

        assertThat(response.unprocessedTraceSegments()).singleElement()
                .satisfies(u -> assertThat(u.errorCode()).isEqualTo("InvalidSegment"));
        assertThat(endpoint.violations()).singleElement()
                .satisfies(v -> assertThat(v.message()).startsWith("not JSON"));
    }

    @Test
    void aRealisticDocumentWithExceptionsPassesEveryCheck() {
        String traceId = newTraceId();
        String rootId = newId();
        ObjectNode root = segment(traceId, rootId, "nightly-etl");
        root.put("origin", "AWS::ECS::Container").put("fault", true);
        root.putObject("service").put("version", "1.4.2");
        root.putObject("aws").put("account_id", "123456789012")
                .putObject("xray").put("sdk", "xray-batch-agent").put("auto_instrumentation", true);
        root.putObject("annotations").put("job_name", "nightly").put("attempt", 2).put("retried", false);
        root.putObject("metadata").putObject("job").putArray("args").add("--date").add("2026-01-01");
        ObjectNode cause = root.putObject("cause").put("working_directory", "/app");
        cause.putArray("paths").add("/app/job.jar");
        ObjectNode exception = cause.putArray("exceptions").addObject()
                .put("id", newId()).put("message", "boom").put("type", "java.lang.IllegalStateException")
                .put("remote", false).put("truncated", 3).put("skipped", 0).put("cause", newId());
        exception.putArray("stack").addObject().put("path", "Job.java").put("line", 42).put("label", "Job.run");
        ObjectNode s3 = subsegment(newId(), "S3").put("namespace", "aws");
        s3.putObject("aws").put("operation", "GetObject").put("region", "us-east-1").put("request_id", "R1")
                .put("bucket_name", "data").put("key", "in.csv").put("retries", 0);
        s3.putObject("http").putObject("response").put("status", 200).put("content_length", 12);
        s3.put("cause", exception.get("id").asText());
        embed(root, s3);
        ObjectNode stage = independentSubsegment(traceId, newId(), rootId, "collect at Job.scala:12 (stage 3)");
        stage.putArray("precursor_ids").add(s3.get("id").asText());

        assertThat(put(client, root, stage).unprocessedTraceSegments()).isEmpty();

        endpoint.assertNoViolations();
    }

    @Test
    void schemaViolationsAreRecordedWhileTheDocumentIsAccepted() {
        ObjectNode document = segment(newTraceId(), newId(), "job").put("error", "yes");

        assertThat(put(client, document).unprocessedTraceSegments()).isEmpty();

        assertThat(endpoint.documents()).containsExactly(document);
        assertThat(endpoint.violations()).singleElement().satisfies(v -> {
            assertThat(v.source()).isEqualTo(Violation.Source.SCHEMA);
            assertThat(v.rejected()).isFalse();
            assertThat(v.message()).contains("error").contains("boolean");
        });
    }

    @Test
    void moreThan50AnnotationsInOneTraceIsAViolation() {
        String traceId = newTraceId();
        String rootId = newId();
        ObjectNode root = segment(traceId, rootId, "job");
        ObjectNode annotations = root.putObject("annotations");
        for (int i = 0; i < 30; i++) {
            annotations.put("root_" + i, i);
        }
        ObjectNode step = independentSubsegment(traceId, newId(), rootId, "step");
        ObjectNode more = step.putObject("annotations");
        for (int i = 0; i < 21; i++) {
            more.put("step_" + i, i);
        }

        put(client, root);
        endpoint.assertNoViolations();
        put(client, step);

        assertThat(endpoint.violations()).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("51 annotations"));
    }
}
