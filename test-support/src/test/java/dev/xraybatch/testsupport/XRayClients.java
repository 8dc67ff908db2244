package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.PutTraceSegmentsResponse;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** Real AWS SDK v2 X-Ray clients pointed at a {@link LocalXRayEndpoint}. */
final class XRayClients {

    private XRayClients() {
    }

    /** Correct credentials, no retries: each SDK call is exactly one HTTP call. */
    static XRayClient singleAttempt(LocalXRayEndpoint endpoint) {
        return builder(endpoint, LocalXRayEndpoint.SECRET_ACCESS_KEY, Duration.ofSeconds(30))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    static XRayClient withSecret(LocalXRayEndpoint endpoint, String secret) {
        return builder(endpoint, secret, Duration.ofSeconds(30))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    /** Gives up reading an answer after {@code readTimeout}, no retries. */
    static XRayClient withReadTimeout(LocalXRayEndpoint endpoint, Duration readTimeout) {
        return builder(endpoint, LocalXRayEndpoint.SECRET_ACCESS_KEY, readTimeout)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    /** The SDK's default retry behaviour. */
    static XRayClient withDefaultRetries(LocalXRayEndpoint endpoint) {
        return builder(endpoint, LocalXRayEndpoint.SECRET_ACCESS_KEY, Duration.ofSeconds(30)).build();
    }

    static PutTraceSegmentsResponse put(XRayClient client, ObjectNode... documents) {
        return put(client, Arrays.stream(documents).map(ObjectNode::toString).toList());
    }

    static PutTraceSegmentsResponse put(XRayClient client, List<String> documents) {
        return client.putTraceSegments(r -> r.traceSegmentDocuments(documents));
    }

    private static software.amazon.awssdk.services.xray.XRayClientBuilder builder(
            LocalXRayEndpoint endpoint, String secret, Duration readTimeout) {
        return XRayClient.builder()
                .endpointOverride(endpoint.url())
                .region(Region.of(LocalXRayEndpoint.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(LocalXRayEndpoint.ACCESS_KEY_ID, secret)))
                .httpClient(UrlConnectionHttpClient.builder().socketTimeout(readTimeout).build());
    }
}
