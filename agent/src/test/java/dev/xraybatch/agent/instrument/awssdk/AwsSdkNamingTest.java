package dev.xraybatch.agent.instrument.awssdk;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AwsSdkNamingTest {

    @Test
    void v1ServiceNamesBecomeTheNamesV2Uses() {
        assertThat(V1RequestHandler.serviceName("Amazon S3")).isEqualTo("S3");
        assertThat(V1RequestHandler.serviceName("AmazonDynamoDBv2")).isEqualTo("DynamoDb");
        assertThat(V1RequestHandler.serviceName("AWSGlue")).isEqualTo("Glue");
        assertThat(V1RequestHandler.serviceName("AmazonCloudWatch")).isEqualTo("CloudWatch");
        assertThat(V1RequestHandler.serviceName("AWS")).isEqualTo("AWS");
    }

    @Test
    void v1OperationIsTheRequestClassWithoutRequest() {
        assertThat(V1RequestHandler.operationName(new GetObjectMetadataRequest())).isEqualTo("GetObjectMetadata");
        assertThat(V1RequestHandler.operationName(new Object())).isEqualTo("Object");
    }

    @Test
    void xraysOwnOperationsAreNeverRecorded() {
        assertThat(AwsCallRecorder.isOwnTraffic("XRay", "PutTraceSegments")).isTrue();
        assertThat(AwsCallRecorder.isOwnTraffic("XRay", "GetSamplingRules")).isTrue();
        assertThat(AwsCallRecorder.isOwnTraffic("XRay", "GetTraceSummaries")).isFalse();
        assertThat(AwsCallRecorder.isOwnTraffic("S3", "PutTraceSegments")).isFalse();
    }

    @Test
    void onlyScalarValuesAndMapKeysAreRecorded() {
        ResourceParameters.Parameter bucket = ResourceParameters.request("S3").get(0);
        assertThat(bucket.xrayName).isEqualTo("bucket_name");
        assertThat(ResourceParameters.recordable(bucket, "my-bucket")).isEqualTo("my-bucket");
        assertThat(ResourceParameters.recordable(bucket, 5)).isEqualTo(5);
        assertThat(ResourceParameters.recordable(bucket, List.of("a"))).isNull();
        assertThat(ResourceParameters.recordable(bucket, new Object())).isNull();

        ResourceParameters.Parameter tables = ResourceParameters.request("DynamoDb").stream()
                .filter(p -> p.keysOnly).findFirst().orElseThrow();
        Map<String, Object> requestItems = new LinkedHashMap<>();
        requestItems.put("orders", List.of("item with customer data"));
        requestItems.put("customers", List.of());
        assertThat(ResourceParameters.recordable(tables, requestItems)).isEqualTo(List.of("orders", "customers"));
    }

    @Test
    void theBatchServicesHaveTheirResourceNames() {
        assertThat(ResourceParameters.request("Glue")).extracting(p -> p.xrayName).contains("job_name", "database_name");
        assertThat(ResourceParameters.request("Athena")).extracting(p -> p.xrayName).contains("work_group");
        assertThat(ResourceParameters.request("Batch")).extracting(p -> p.v2Field).contains("jobQueue");
        assertThat(ResourceParameters.request("Sfn")).extracting(p -> p.xrayName).contains("state_machine_arn");
        assertThat(ResourceParameters.request("Kinesis")).extracting(p -> p.xrayName).contains("stream_name");
        assertThat(ResourceParameters.request("Unknown")).isEmpty();
    }

    @Test
    void sdkClassNamesSurviveRelocation() {
        // Joined at run time: the shade plugin would otherwise rewrite them to the agent's own relocated SDK.
        assertThat(AwsSdkNames.V2_CLIENT_BUILDER)
                .isEqualTo("software.amazon.awssdk.core.client.builder.SdkDefaultClientBuilder");
        assertThat(AwsSdkNames.V1_CLIENT).isEqualTo("com.amazonaws.AmazonWebServiceClient");
    }

    /** Stands in for the SDK v1 model class of the same name. */
    static final class GetObjectMetadataRequest {
    }
}
