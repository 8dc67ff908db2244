package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.BatchGetTracesResponse;
import software.amazon.awssdk.services.xray.model.GetTraceSummariesResponse;
import software.amazon.awssdk.services.xray.model.InvalidRequestException;
import software.amazon.awssdk.services.xray.model.Segment;
import software.amazon.awssdk.services.xray.model.TimeRangeType;
import software.amazon.awssdk.services.xray.model.TraceSummary;
import software.amazon.awssdk.services.xray.model.ValueWithServiceIds;
import software.amazon.awssdk.services.xray.model.XRayException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.xraybatch.testsupport.Documents.JSON;
import static dev.xraybatch.testsupport.Documents.embed;
import static dev.xraybatch.testsupport.Documents.newId;
import static dev.xraybatch.testsupport.Documents.newTraceId;
import static dev.xraybatch.testsupport.Documents.ofSize;
import static dev.xraybatch.testsupport.XRayClients.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** BatchGetTraces and GetTraceSummaries as the real AWS SDK v2 XRayClient unmarshals them. */
class TraceQueriesTest {

    private static final Instant START = Instant.parse("2026-03-02T08:00:00Z");
    private static final double T0 = START.getEpochSecond();

    private final SimulatedClock clock = SimulatedClock.manual(START);
    private final LocalXRayEndpoint endpoint = LocalXRayEndpoint.builder().traceQuota(true).clock(clock).start();
    private final XRayClient client = XRayClients.singleAttempt(endpoint);

    @AfterEach
    void stop() {
        client.close();
        endpoint.close();
    }

    // ---------------------------------------------------------------- BatchGetTraces

    @Test
    void batchGetTracesAnswersOneSegmentPerSegmentWithItsSubsegmentsInside() throws Exception {
        String traceId = newTraceId(START);
        String rootId = newId();
        String stepId = newId();
        String s3Id = newId();
        String executorId = newId();
        ObjectNode inProgressRoot = entity("job", rootId, T0, null).put("trace_id", traceId).put("in_progress", true);
        ObjectNode step = entity("step", stepId, T0 + 1, T0 + 5).put("type", "subsegment")
                .put("trace_id", traceId).put("parent_id", rootId);
        embed(step, entity("S3", s3Id, T0 + 2, T0 + 3));
        ObjectNode executor = entity("executor", executorId, T0 + 2, T0 + 4).put("trace_id", traceId)
                .put("parent_id", stepId);
        put(client, inProgressRoot, step, executor);
        clock.advance(Duration.ofSeconds(30));
        ObjectNode completeRoot = entity("job", rootId, T0, T0 + 6).put("trace_id", traceId);
        put(client, completeRoot);

        BatchGetTracesResponse response = client.batchGetTraces(r -> r.traceIds(traceId));

        assertThat(response.unprocessedTraceIds()).isEmpty();
        assertThat(response.nextToken()).isNull();
        assertThat(response.traces()).singleElement().satisfies(trace -> {
            assertThat(trace.id()).isEqualTo(traceId);
            assertThat(trace.duration()).isEqualTo(6.0);
            assertThat(trace.limitExceeded()).isFalse();
            assertThat(trace.segments()).extracting(Segment::id).containsExactly(rootId, executorId);
        });
        Map<String, JsonNode> documents = documentsById(response);
        JsonNode root = documents.get(rootId);
        assertThat(root.has("in_progress")).isFalse();
        assertThat(root.get("end_time").asDouble()).isEqualTo(T0 + 6);
        JsonNode stepInside = root.get("subsegments").get(0);
        assertThat(stepInside.get("id").asText()).isEqualTo(stepId);
        assertThat(stepInside.has("type") || stepInside.has("trace_id") || stepInside.has("parent_id")).isFalse();
        assertThat(stepInside.get("subsegments").get(0).get("name").asText()).isEqualTo("S3");
        JsonNode executorDocument = documents.get(executorId);
        assertThat(executorDocument.get("parent_id").asText()).isEqualTo(stepId);
        assertThat(executorDocument.has("subsegments")).isFalse();
        endpoint.assertNoViolations();
    }

    @Test
    void aClosedTraceComesBackWithLimitExceededAndWhatWasAccepted() {
        String traceId = newTraceId(START);
        ObjectNode[] documents = new ObjectNode[9];
        for (int i = 0; i < documents.length; i++) {
            documents[i] = ofSize(entity("part", newId(), T0, T0 + 1).put("trace_id", traceId), 60_000);
        }
        assertThat(put(client, documents).unprocessedTraceSegments()).hasSize(1);
        String open = newTraceId(START);
        put(client, entity("job", newId(), T0, T0 + 1).put("trace_id", open));

        BatchGetTracesResponse response = client.batchGetTraces(r -> r.traceIds(traceId, open));

        assertThat(response.traces()).hasSize(2);
        assertThat(response.traces().get(0).id()).isEqualTo(traceId);
        assertThat(response.traces().get(0).limitExceeded()).isTrue();
        assertThat(response.traces().get(0).segments()).hasSize(8);
        assertThat(response.traces().get(1).limitExceeded()).isFalse();
    }

    @Test
    void anUnknownTraceIsUnprocessed() {
        String known = newTraceId(START);
        put(client, entity("job", newId(), T0, T0 + 1).put("trace_id", known));
        String unknown = newTraceId(START);

        BatchGetTracesResponse response = client.batchGetTraces(r -> r.traceIds(unknown, known));

        assertThat(response.unprocessedTraceIds()).containsExactly(unknown);
        assertThat(response.traces()).extracting(software.amazon.awssdk.services.xray.model.Trace::id)
                .containsExactly(known);
    }

    @Test
    void moreThanFiveTraceIdsIsAnInvalidRequest() {
        List<String> six = List.of(newTraceId(START), newTraceId(START), newTraceId(START), newTraceId(START),
                newTraceId(START), newTraceId(START));

        assertThatThrownBy(() -> client.batchGetTraces(r -> r.traceIds(six)))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorMessage()).contains("less than or equal to 5");
                });
        assertThat(endpoint.violations()).singleElement()
                .satisfies(v -> assertThat(v.source()).isEqualTo(Violation.Source.CALL));
        assertThat(client.batchGetTraces(r -> r.traceIds(six.subList(0, 5))).unprocessedTraceIds()).hasSize(5);
    }

    @Test
    void readsAreSignedAndVerifiedLikeWrites() {
        try (XRayClient wrongSecret = XRayClients.withSecret(endpoint, "not-the-secret")) {
            assertThatThrownBy(() -> wrongSecret.batchGetTraces(r -> r.traceIds(newTraceId(START))))
                    .isInstanceOfSatisfying(XRayException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
                    });
            assertThatThrownBy(() -> wrongSecret.getTraceSummaries(r -> r.startTime(START).endTime(START)))
                    .isInstanceOfSatisfying(XRayException.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }
        assertThat(endpoint.calls()).isEmpty();
    }

    // ---------------------------------------------------------------- GetTraceSummaries

    @Test
    void summariesFindAJobsTracesByAnnotation() {
        String first = jobTrace("job-1", 1, false);
        clock.advance(Duration.ofMinutes(1));
        String continuation = jobTrace("job-1", 2, true);
        String otherJob = jobTrace("job-2", 1, false);

        assertThat(ids(summaries("annotation.job_id = \"job-1\""))).containsExactlyInAnyOrder(first, continuation);
        assertThat(ids(summaries("annotation.job_id = \"job-1\" AND annotation.part = 2"))).containsExactly(continuation);
        assertThat(ids(summaries("annotation.part = 1"))).containsExactlyInAnyOrder(first, otherJob);
        assertThat(ids(summaries("annotation.part = 1.0 and annotation.final = false"))).containsExactlyInAnyOrder(first, otherJob);
        assertThat(ids(summaries("annotation.job_id = \"job-3\""))).isEmpty();
        assertThat(ids(summaries(null))).containsExactlyInAnyOrder(first, continuation, otherJob);
        // A number is not the string of its digits.
        assertThat(ids(summaries("annotation.part = \"1\""))).isEmpty();
        endpoint.assertNoViolations();
    }

    @Test
    void aSummaryHasTheModelsFieldsAndAnnotationsInXRaysShape() {
        String traceId = jobTrace("job-1", 2, true);

        GetTraceSummariesResponse response = summaries("annotation.job_id = \"job-1\"");

        assertThat(response.nextToken()).isNull();
        assertThat(response.tracesProcessedCount()).isEqualTo(1L);
        TraceSummary summary = response.traceSummaries().get(0);
        assertThat(summary.id()).isEqualTo(traceId);
        assertThat(summary.startTime()).isEqualTo(START);
        assertThat(summary.duration()).isEqualTo(30.0);
        assertThat(summary.responseTime()).isEqualTo(30.0);
        assertThat(summary.hasFault()).isTrue();
        assertThat(summary.hasError()).isFalse();
        assertThat(summary.hasThrottle()).isFalse();
        assertThat(summary.isPartial()).isFalse();
        assertThat(summary.revision()).isZero();
        assertThat(summary.entryPoint().name()).isEqualTo("nightly job-1");
        assertThat(summary.serviceIds()).singleElement().satisfies(service -> {
            assertThat(service.name()).isEqualTo("nightly job-1");
            assertThat(service.names()).containsExactly("nightly job-1");
            assertThat(service.type()).isEqualTo("AWS::ECS::Container");
        });
        assertThat(summary.annotations()).containsOnlyKeys("job_id", "part", "final", "step_rows");
        ValueWithServiceIds jobId = summary.annotations().get("job_id").get(0);
        assertThat(jobId.annotationValue().stringValue()).isEqualTo("job-1");
        assertThat(jobId.serviceIds()).extracting(s -> s.name()).containsExactly("nightly job-1");
        assertThat(summary.annotations().get("part").get(0).annotationValue().numberValue()).isEqualTo(2.0);
        assertThat(summary.annotations().get("final").get(0).annotationValue().booleanValue()).isTrue();
        // An annotation of a subsegment belongs to its segment's service.
        assertThat(summary.annotations().get("step_rows").get(0).serviceIds()).extracting(s -> s.name())
                .containsExactly("nightly job-1");
    }

    @Test
    void aRunningTraceIsPartialAndEachLaterBurstARevision() {
        String traceId = newTraceId(START);
        String rootId = newId();
        put(client, entity("job", rootId, T0, null).put("trace_id", traceId).put("in_progress", true));
        clock.advance(Duration.ofMinutes(2));
        put(client, entity("step", newId(), T0 + 60, T0 + 61).put("type", "subsegment").put("trace_id", traceId)
                .put("parent_id", rootId).put("error", true));

        TraceSummary summary = summaries(null).traceSummaries().get(0);

        assertThat(summary.isPartial()).isTrue();
        assertThat(summary.responseTime()).isNull();
        // HasError describes the root segment, not its subsegments.
        assertThat(summary.hasError()).isFalse();
        assertThat(summary.revision()).isEqualTo(1);
        assertThat(summary.duration()).isEqualTo(61.0);
    }

    @Test
    void theTimeRangeSelectsByTraceIdEpochOrByLastUpdateOnTheEndpointsClock() {
        String earlier = newTraceId(START.minus(Duration.ofHours(2)));
        put(client, entity("job", newId(), T0 - 7200, T0 - 7100).put("trace_id", earlier));
        clock.advance(Duration.ofHours(1));
        String now = newTraceId(clock.now());
        put(client, entity("job", newId(), T0 + 3600, T0 + 3601).put("trace_id", now));

        GetTraceSummariesResponse lastHour = client.getTraceSummaries(r -> r.startTime(START).endTime(clock.now()));
        GetTraceSummariesResponse updatedInTheFirstHalf = client.getTraceSummaries(r -> r
                .startTime(START.minus(Duration.ofMinutes(1))).endTime(START.plus(Duration.ofMinutes(30)))
                .timeRangeType(TimeRangeType.EVENT));

        assertThat(ids(lastHour)).containsExactly(now);
        assertThat(lastHour.tracesProcessedCount()).isEqualTo(1L);
        // The earlier trace was sent at START (endpoint clock), though its id is two hours older.
        assertThat(ids(updatedInTheFirstHalf)).containsExactly(earlier);
    }

    @Test
    void summariesAreNewestFirst() {
        String older = newTraceId(START);
        put(client, entity("job", newId(), T0, T0 + 1).put("trace_id", older));
        clock.advance(Duration.ofMinutes(5));
        String newer = newTraceId(clock.now());
        put(client, entity("job", newId(), T0 + 300, T0 + 301).put("trace_id", newer));

        assertThat(ids(summaries(null))).containsExactly(newer, older);
    }

    @Test
    void anExpressionTheEndpointCannotAnswerIsAnInvalidRequestNeverIgnored() {
        jobTrace("job-1", 1, false);
        for (String unsupported : List.of("service(\"nightly job-1\")", "annotation.job_id != \"job-2\"",
                "annotation.job_id = \"job-1\" OR annotation.part = 1", "annotation.job_id = job-1", "responsetime > 5",
                "annotation.part = 1 AND")) {
            assertThatThrownBy(() -> summaries(unsupported))
                    .as(unsupported)
                    .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(400);
                        assertThat(e.awsErrorDetails().errorMessage()).contains("supports only");
                    });
        }
        assertThat(endpoint.violations()).hasSize(6).allSatisfy(v -> {
            assertThat(v.source()).isEqualTo(Violation.Source.CALL);
            assertThat(v.errorCode()).isEqualTo("InvalidRequestException");
        });
    }

    @Test
    void requestsXRayWouldRefuseAreInvalid() {
        assertThatThrownBy(() -> client.getTraceSummaries(r -> r.startTime(START).endTime(START.minusSeconds(1))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("before StartTime");
        assertThatThrownBy(() -> client.getTraceSummaries(r -> r.startTime(START).endTime(START).sampling(true)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Sampling");
        assertThatThrownBy(() -> client.getTraceSummaries(r -> r.startTime(START).endTime(START).nextToken("x")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("NextToken");
    }

    /**
     * A job's trace: a root segment of 30 s with its job annotations, failed when {@code fault}, and a step
     * subsegment with an annotation of its own.
     */
    private String jobTrace(String jobId, int part, boolean fault) {
        String traceId = newTraceId(clock.now());
        double start = clock.now().getEpochSecond();
        ObjectNode root = entity("nightly " + jobId, newId(), start, start + 30).put("trace_id", traceId)
                .put("origin", "AWS::ECS::Container").put("fault", fault);
        root.putObject("annotations").put("job_id", jobId).put("part", part).put("final", fault);
        ObjectNode step = entity("step", newId(), start + 1, start + 2);
        step.putObject("annotations").put("step_rows", 12);
        put(client, embed(root, step));
        return traceId;
    }

    private GetTraceSummariesResponse summaries(String filterExpression) {
        return client.getTraceSummaries(r -> r.startTime(START.minus(Duration.ofHours(1)))
                .endTime(clock.now().plus(Duration.ofHours(1))).filterExpression(filterExpression));
    }

    private static List<String> ids(GetTraceSummariesResponse response) {
        return response.traceSummaries().stream().map(TraceSummary::id).collect(Collectors.toList());
    }

    private static ObjectNode entity(String name, String id, double start, Double end) {
        ObjectNode entity = JSON.createObjectNode().put("name", name).put("id", id).put("start_time", start);
        if (end != null) {
            entity.put("end_time", end);
        }
        return entity;
    }

    private static Map<String, JsonNode> documentsById(BatchGetTracesResponse response) throws Exception {
        Map<String, JsonNode> documents = new java.util.LinkedHashMap<>();
        for (Segment segment : response.traces().get(0).segments()) {
            documents.put(segment.id(), JSON.readTree(segment.document()));
        }
        return documents;
    }
}
