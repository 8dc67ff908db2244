package dev.xraybatch.agenttests.awssdk;

import static dev.xraybatch.agenttests.awssdk.AwsTraces.aws;
import static dev.xraybatch.agenttests.awssdk.AwsTraces.call;
import static dev.xraybatch.agenttests.awssdk.AwsTraces.http;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;

/** AWS's own DynamoDB Local, untraced, as the service; the jobs' SDK v2 and v1 DynamoDB clients traced. */
class AwsSdkDynamoDbLocalIT {
    static DynamoDbLocal dynamoDb;

    @BeforeAll
    static void start() throws Exception {
        dynamoDb = new DynamoDbLocal();
    }

    @AfterAll
    static void stop() {
        if (dynamoDb != null) {
            dynamoDb.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"v2", "v1"})
    void tableCreatePutGetAndQueryAreSubsegmentsWithTheirFields(String sdk) {
        boolean v2 = sdk.equals("v2");
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start()) {
            ChildJvm.Result result = AwsTraces.job(v2 ? SdkV2Job.class : SdkV1Job.class, "DynamoDbLocal-" + sdk)
                    .xray(endpoint).systemProperty("run.id", UUID.randomUUID().toString().substring(0, 8))
                    .args("dynamodb-local", dynamoDb.endpoint().toString()).run(AwsTraces.RUN_TIMEOUT);
            result.assertExitCode(0);
            assertThat(result.stdout()).contains("outcome dynamo-get row-1").contains("outcome dynamo-query 1 item(s)");

            Trace trace = AwsTraces.finishedTrace(endpoint);
            TraceNode work = trace.root().child(v2 ? "dynamodb-local" : "dynamodb-local-v1");
            String table = (v2 ? "xray-batch-" : "xray-batch-v1-");
            for (String operation : new String[] {"CreateTable", "PutItem", "GetItem", "Query"}) {
                TraceNode c = call(work, "DynamoDb", operation);
                assertThat(aws(c).path("table_name").asText()).as(trace.render()).startsWith(table);
                assertThat(aws(c).path("region").asText()).isEqualTo("us-east-1");
                // DynamoDB Local answers with a request id of its own, as DynamoDB does.
                assertThat(aws(c).path("request_id").asText()).as(c.render()).isNotBlank();
                assertThat(http(c).path("status").asInt()).isEqualTo(200);
                assertThat(c.hasFailed()).isFalse();
            }
            assertThat(aws(call(work, "DynamoDb", "GetItem")).path("consistent_read").asBoolean()).isTrue();
            TraceNode query = call(work, "DynamoDb", "Query");
            assertThat(aws(query).path("count").asInt()).isEqualTo(1);
            assertThat(aws(query).path("scanned_count").asInt()).isEqualTo(1);
            // The server ran without the agent: nothing of its own in the trace, and no call left open.
            assertThat(trace.nodes()).noneMatch(TraceNode::isInProgress);
            endpoint.assertNoViolations();
        }
    }
}
