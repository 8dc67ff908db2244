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

/** The real AWS SDK v2 (the version of the parent's BOM) in traced child JVMs against moto_server and stubs. */
class AwsSdkV2IT {
    static MotoServer moto;

    @BeforeAll
    static void startMoto() throws Exception {
        moto = MotoServer.shared();
    }

    static ChildJvm.Result run(LocalXRayEndpoint endpoint, String... args) {
        ChildJvm.Result result = AwsTraces.job(SdkV2Job.class, "SdkV2Job-" + args[0]).xray(endpoint)
                .systemProperty("run.id", UUID.randomUUID().toString().substring(0, 8))
                .args(args).run(AwsTraces.RUN_TIMEOUT);
        result.assertExitCode(0);
        assertThat(result.stdout()).contains("job done");
        return result;
    }

    @Test
    void s3DynamoDbAndSqsCallsAreSubsegmentsOfTheJobsOwnWork() {
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start()) {
            ChildJvm.Result result = run(endpoint, "services", moto.endpoint().toString());
            Trace trace = AwsTraces.finishedTrace(endpoint);
            TraceNode work = trace.root().child("load-data");
            assertS3AndDynamoDbCalls(trace, result);

            TraceNode send = call(work, "Sqs", "SendMessage");
            assertThat(aws(send).path("queue_url").asText()).contains("xray-batch-");
            assertThat(aws(send).path("message_id").asText()).isNotEmpty();
            call(work, "Sqs", "ReceiveMessage");
            call(work, "Sqs", "CreateQueue");
            // Payloads never reach the trace.
            assertThat(trace.documents().toString()).doesNotContain("secret payload").doesNotContain("a,b,c");
            endpoint.assertNoViolations();
        }
    }

    @Test
    void failedCallsCarryFlagsRetriesAndCauseAndTheJobSeesTheSameExceptions() throws Exception {
        URI refused = AwsErrorServer.refusingEndpoint();
        List<String> untraced;
        try (AwsErrorServer server = new AwsErrorServer()) {
            untraced = AwsTraces.outcomes(AwsTraces.job(SdkV2Job.class, "SdkV2Job-errors-untraced")
                    .withoutAgent().systemProperty("refused.endpoint", refused.toString())
                    .args("errors", server.endpoint().toString()).run(AwsTraces.RUN_TIMEOUT));
        }
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start(); AwsErrorServer server = new AwsErrorServer()) {
            ChildJvm.Result result = AwsTraces.job(SdkV2Job.class, "SdkV2Job-errors").xray(endpoint)
                    .systemProperty("refused.endpoint", refused.toString())
                    .args("errors", server.endpoint().toString()).run(AwsTraces.RUN_TIMEOUT);
            result.assertExitCode(0);
            assertThat(AwsTraces.outcomes(result)).hasSize(4).containsExactlyElementsOf(untraced);

            Trace trace = AwsTraces.finishedTrace(endpoint);
            TraceNode work = trace.root().child("error-paths");
            List<TraceNode> gets = calls(work, "S3", "GetObject");
            assertThat(gets).as(trace.render()).hasSize(3);

            TraceNode missing = byKey(gets, "missing");
            assertThat(missing.get("error").asBoolean()).isTrue();
            assertThat(missing.json().has("throttle")).isFalse();
            assertThat(missing.json().has("fault")).isFalse();
            assertThat(http(missing).path("status").asInt()).isEqualTo(404);
            assertThat(aws(missing).path("retries").asInt()).isZero();
            assertThat(aws(missing).path("request_id").asText()).isEqualTo("req-missing");
            assertThat(aws(missing).path("id_2").asText()).isEqualTo("host-missing");
            assertThat(missing.get("cause").path("exceptions").path(0).path("remote").asBoolean()).isTrue();
            assertThat(server.requests("missing")).isEqualTo(1);

            TraceNode throttled = byKey(gets, "throttled");
            assertThat(throttled.get("throttle").asBoolean()).isTrue();
            assertThat(throttled.get("error").asBoolean()).isTrue();
            assertThat(http(throttled).path("status").asInt()).isEqualTo(429);
            assertThat(aws(throttled).path("retries").asInt()).isEqualTo(2);
            assertThat(server.requests("throttled")).isEqualTo(3);

            TraceNode broken = byKey(gets, "broken");
            assertThat(broken.get("fault").asBoolean()).isTrue();
            assertThat(broken.json().has("throttle")).isFalse();
            assertThat(http(broken).path("status").asInt()).isEqualTo(500);
            assertThat(aws(broken).path("retries").asInt()).isEqualTo(2);
            assertThat(aws(broken).path("request_id").asText()).isEqualTo("req-broken");

            TraceNode unreachable = call(trace.root().child("refused"), "S3", "GetObject");
            assertThat(unreachable.get("fault").asBoolean()).isTrue();
            assertThat(unreachable.json().path("http").has("response")).isFalse();
            assertThat(aws(unreachable).path("retries").asInt()).isEqualTo(1);
            JsonNode cause = unreachable.get("cause").path("exceptions").path(0);
            assertThat(cause.path("type").asText()).endsWith("SdkClientException");
            assertThat(cause.path("remote").asBoolean(false)).isFalse();

            // Every attempt told the server which subsegment it belongs to.
            assertThat(server.traceHeaders()).hasSize(1 + 3 + 3);
            for (String header : server.traceHeaders()) {
                assertThat(header).startsWith("Root=" + trace.traceId() + ";Parent=").endsWith(";Sampled=1");
                String parent = header.substring(header.indexOf("Parent=") + 7, header.indexOf(";Sampled"));
                assertThat(gets).extracting(TraceNode::id).contains(parent);
            }
            endpoint.assertNoViolations();
        }
    }

    @Test
    void asyncCallsLandUnderTheSubsegmentThatIssuedThem() {
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start()) {
            run(endpoint, "async", moto.endpoint().toString());
            Trace trace = AwsTraces.finishedTrace(endpoint);
            TraceNode work = trace.root().child("async-work");
            List<TraceNode> lists = calls(work, "S3", "ListObjects");
            assertThat(lists).as(trace.render()).hasSize(3);
            assertThat(lists).allSatisfy(n -> {
                assertThat(aws(n).path("prefix").asText()).isEqualTo("async/");
                assertThat(http(n).path("status").asInt()).isEqualTo(200);
                assertThat(n.isInProgress()).isFalse();
            });
            call(work, "DynamoDb", "ListTables");
            // The issuing thread's own context is untouched: the job's subsegment holds no SDK call as parent.
            assertThat(work.descendants()).allMatch(n -> n.parent().orElseThrow() == work);
            endpoint.assertNoViolations();
        }
    }

    @Test
    void tenThousandReadsBecomeTwentySubsegmentsAndOneBoundedSummary() throws Exception {
        int n = 10_000;
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start(); AwsErrorServer server = new AwsErrorServer()) {
            ChildJvm.Result result = AwsTraces.job(SdkV2Job.class, "SdkV2Job-many").xray(endpoint)
                    .args("many", server.endpoint().toString(), Integer.toString(n)).run(AwsTraces.RUN_TIMEOUT);
            result.assertExitCode(0);
            assertThat(result.stdout()).contains("outcome many 10000 calls, 10000 bytes");

            Trace trace = AwsTraces.finishedTrace(endpoint);
            TraceNode work = trace.root().child("read-table");
            assertThat(calls(work, "S3", "GetObject")).hasSize(20);
            TraceNode summary = work.child("S3 GetObject");
            JsonNode stats = summary.metadata("xray_batch", "summary");
            assertThat(stats.path("count").asLong()).as(summary.render()).isEqualTo(n - 20);
            assertThat(stats.path("errors").asLong()).isZero();
            assertThat(stats.path("bytes").asLong()).isEqualTo(n - 20);
            assertThat(stats.path("min_ms").asDouble()).isLessThanOrEqualTo(stats.path("max_ms").asDouble());
            assertThat(stats.path("slowest").path("aws").path("request_id").asText()).startsWith("req-ok-");
            assertThat(work.children()).hasSize(21);
            assertThat(trace.documents().size()).isLessThan(100);
            endpoint.assertNoViolations();
        }
    }

    @Test
    void anSdkInAChildClassLoaderIsTracedToo() throws Exception {
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start(); AwsErrorServer server = new AwsErrorServer()) {
            ChildJvm.Result result = AwsTraces.job(SdkV2Job.class, "SdkV2Job-child-loader").xray(endpoint)
                    .args("child-loader", server.endpoint().toString(), "5").run(AwsTraces.RUN_TIMEOUT);
            result.assertExitCode(0);
            assertThat(result.stdout()).contains("outcome many 5 calls, 5 bytes").contains("outcome child-loader true");
            Trace trace = AwsTraces.finishedTrace(endpoint);
            assertThat(calls(trace.root().child("read-table"), "S3", "GetObject")).as(trace.render()).hasSize(5);
            endpoint.assertNoViolations();
        }
    }

    /** The S3 and DynamoDB part of the {@code services} job, the part every SDK version runs: fields, flags, nesting. */
    static void assertS3AndDynamoDbCalls(Trace trace, ChildJvm.Result result) {
        TraceNode work = trace.root().child("load-data");
        String render = trace.render();
        TraceNode get = call(work, "S3", "GetObject");
        assertThat(aws(get).path("region").asText()).isEqualTo("us-east-1");
        assertThat(aws(get).path("bucket_name").asText()).as(render).startsWith("xray-batch-");
        assertThat(aws(get).path("key").asText()).isEqualTo("input/part-0001.csv");
        assertThat(aws(get).path("retries").asInt(-1)).isZero();
        assertThat(http(get).path("status").asInt()).isEqualTo(200);
        assertThat(http(get).path("content_length").asInt()).isEqualTo("a,b,c\n1,2,3\n".length());
        assertThat(get.hasFailed()).isFalse();
        assertThat(get.isInProgress()).isFalse();

        TraceNode missing = call(work, "S3", "HeadObject");
        assertThat(missing.get("error").asBoolean()).isTrue();
        assertThat(missing.json().has("fault")).isFalse();
        assertThat(http(missing).path("status").asInt()).isEqualTo(404);
        JsonNode cause = missing.get("cause").path("exceptions").path(0);
        assertThat(cause.path("type").asText()).endsWith("NoSuchKeyException");
        assertThat(cause.path("remote").asBoolean()).isTrue();
        assertThat(result.stdout()).contains("outcome s3-head-missing NoSuchKeyException");

        // Presigning sends nothing: no subsegment, and none left open.
        assertThat(result.stdout()).contains("outcome s3-presign /");
        assertThat(calls(work, "S3", "GetObject")).hasSize(1);
        assertThat(trace.nodes()).noneMatch(TraceNode::isInProgress);

        call(work, "S3", "CreateBucket");
        TraceNode put = call(work, "S3", "PutObject");
        assertThat(aws(put).path("key").asText()).isEqualTo("input/part-0001.csv");
        // What an upload sent ("a,b,c\n1,2,3\n"), so that its summaries can say so (issue: an upload read "bytes=0").
        assertThat(put.json().path("http").path("request").path("content_length").asLong()).as(render).isEqualTo(12);

        TraceNode getItem = call(work, "DynamoDb", "GetItem");
        assertThat(aws(getItem).path("table_name").asText()).startsWith("xray-batch-");
        assertThat(aws(getItem).path("consistent_read").asBoolean()).isTrue();
        assertThat(aws(getItem).path("request_id").asText()).as(render).isNotEmpty();
        call(work, "DynamoDb", "CreateTable");
        call(work, "DynamoDb", "PutItem");
    }

    private static TraceNode byKey(List<TraceNode> calls, String key) {
        return calls.stream().filter(c -> key.equals(aws(c).path("key").asText())).findFirst().orElseThrow();
    }
}
