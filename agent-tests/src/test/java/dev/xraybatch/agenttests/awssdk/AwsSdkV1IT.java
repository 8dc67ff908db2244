package dev.xraybatch.agenttests.awssdk;

import static dev.xraybatch.agenttests.awssdk.AwsTraces.aws;
import static dev.xraybatch.agenttests.awssdk.AwsTraces.call;
import static dev.xraybatch.agenttests.awssdk.AwsTraces.calls;
import static dev.xraybatch.agenttests.awssdk.AwsTraces.http;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.MotoServer;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;

/** The real AWS SDK v1 in traced child JVMs: the same fields as v2, services named as v2 names them. */
class AwsSdkV1IT {
    static MotoServer moto;

    @BeforeAll
    static void startMoto() throws Exception {
        moto = MotoServer.shared();
    }

    @Test
    void s3DynamoDbAndSqsCallsAreSubsegmentsOfTheJobsOwnWork() {
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start()) {
            ChildJvm.Result result = AwsTraces.job(SdkV1Job.class, "SdkV1Job-services").xray(endpoint)
                    .systemProperty("run.id", UUID.randomUUID().toString().substring(0, 8))
                    .args("services", moto.endpoint().toString()).run(AwsTraces.RUN_TIMEOUT);
            result.assertExitCode(0);
            assertServicesTrace(AwsTraces.finishedTrace(endpoint), result);
            endpoint.assertNoViolations();
        }
    }

    @Test
    void failedCallsCarryFlagsRetriesAndCauseAndTheJobSeesTheSameExceptions() throws Exception {
        URI refused = AwsErrorServer.refusingEndpoint();
        List<String> untraced;
        try (AwsErrorServer server = new AwsErrorServer()) {
            untraced = AwsTraces.outcomes(AwsTraces.job(SdkV1Job.class, "SdkV1Job-errors-untraced")
                    .withoutAgent().systemProperty("refused.endpoint", refused.toString())
                    .args("errors", server.endpoint().toString()).run(AwsTraces.RUN_TIMEOUT));
        }
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start(); AwsErrorServer server = new AwsErrorServer()) {
            ChildJvm.Result result = AwsTraces.job(SdkV1Job.class, "SdkV1Job-errors").xray(endpoint)
                    .systemProperty("refused.endpoint", refused.toString())
                    .args("errors", server.endpoint().toString()).run(AwsTraces.RUN_TIMEOUT);
            result.assertExitCode(0);
            assertThat(AwsTraces.outcomes(result)).hasSize(4).containsExactlyElementsOf(untraced)
                    .endsWith("outcome error-refused com.amazonaws.SdkClientException");

            Trace trace = AwsTraces.finishedTrace(endpoint);
            List<TraceNode> gets = calls(trace.root().child("error-paths-v1"), "S3", "GetObject");
            assertThat(gets).as(trace.render()).hasSize(3);
            TraceNode missing = byKey(gets, "missing");
            assertThat(missing.get("error").asBoolean()).isTrue();
            assertThat(missing.json().has("fault")).isFalse();
            assertThat(aws(missing).path("request_id").asText()).isEqualTo("req-missing");
            assertThat(aws(missing).path("id_2").asText()).isEqualTo("host-missing");
            assertThat(aws(missing).path("retries").asInt()).isZero();

            TraceNode throttled = byKey(gets, "throttled");
            assertThat(throttled.get("throttle").asBoolean()).isTrue();
            assertThat(http(throttled).path("status").asInt()).isEqualTo(429);
            assertThat(aws(throttled).path("retries").asInt()).isEqualTo(server.requests("throttled") - 1);

            TraceNode broken = byKey(gets, "broken");
            assertThat(broken.get("fault").asBoolean()).isTrue();
            assertThat(aws(broken).path("retries").asInt()).isEqualTo(2);
            assertThat(server.requests("broken")).isEqualTo(3);

            // No answer at all: a fault, no HTTP response, the client-side exception not remote; one retry.
            TraceNode unreachable = call(trace.root().child("refused-v1"), "S3", "GetObject");
            assertThat(unreachable.get("fault").asBoolean()).isTrue();
            assertThat(unreachable.json().path("http").has("response")).isFalse();
            assertThat(aws(unreachable).path("retries").asInt()).isEqualTo(1);
            assertThat(aws(unreachable).path("region").asText()).isEqualTo("us-east-1");
            JsonNode cause = unreachable.get("cause").path("exceptions").path(0);
            assertThat(cause.path("type").asText()).endsWith("SdkClientException");
            assertThat(cause.path("remote").asBoolean(false)).isFalse();

            assertThat(server.traceHeaders()).isNotEmpty().allSatisfy(h -> assertThat(h)
                    .startsWith("Root=" + trace.traceId() + ";Parent=").endsWith(";Sampled=1"));
            endpoint.assertNoViolations();
        }
    }

    /** The {@code services} job's trace, whatever SDK v1 version ran it. */
    static void assertServicesTrace(Trace trace, ChildJvm.Result result) {
        TraceNode work = trace.root().child("load-data-v1");
        String render = trace.render();

        TraceNode get = call(work, "S3", "GetObject");
        assertThat(aws(get).path("region").asText()).as(render).isEqualTo("us-east-1");
        assertThat(aws(get).path("bucket_name").asText()).as(render).startsWith("xray-batch-v1-");
        assertThat(aws(get).path("key").asText()).isEqualTo("input/part-0001.csv");
        assertThat(aws(get).path("retries").asInt(-1)).isZero();
        assertThat(http(get).path("status").asInt()).isEqualTo(200);
        assertThat(get.hasFailed()).isFalse();

        TraceNode missing = call(work, "S3", "GetObjectMetadata");
        assertThat(missing.get("error").asBoolean()).isTrue();
        assertThat(http(missing).path("status").asInt()).isEqualTo(404);
        assertThat(missing.get("cause").path("exceptions").path(0).path("remote").asBoolean()).isTrue();
        assertThat(result.stdout()).contains("outcome s3-head-missing AmazonS3Exception 404");

        assertThat(result.stdout()).contains("outcome s3-presign /");
        assertThat(calls(work, "S3", "GeneratePresignedUrl")).isEmpty();
        assertThat(trace.nodes()).noneMatch(TraceNode::isInProgress);

        TraceNode getItem = call(work, "DynamoDb", "GetItem");
        assertThat(aws(getItem).path("table_name").asText()).startsWith("xray-batch-v1-");
        assertThat(aws(getItem).path("consistent_read").asBoolean()).isTrue();
        assertThat(aws(getItem).path("request_id").asText()).as(render).isNotEmpty();

        TraceNode send = call(work, "Sqs", "SendMessage");
        assertThat(aws(send).path("queue_url").asText()).contains("xray-batch-v1-");
        assertThat(aws(send).path("message_id").asText()).isNotEmpty();
        assertThat(trace.documents().toString()).doesNotContain("secret payload");
    }

    private static TraceNode byKey(List<TraceNode> calls, String key) {
        return calls.stream().filter(c -> key.equals(aws(c).path("key").asText())).findFirst().orElseThrow();
    }
}
