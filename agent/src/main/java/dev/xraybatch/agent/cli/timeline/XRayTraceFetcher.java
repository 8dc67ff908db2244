package dev.xraybatch.agent.cli.timeline;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.XRayClientBuilder;
import software.amazon.awssdk.services.xray.model.BatchGetTracesRequest;
import software.amazon.awssdk.services.xray.model.BatchGetTracesResponse;
import software.amazon.awssdk.services.xray.model.Segment;

/**
 * Fetches one trace's segment documents from X-Ray with BatchGetTraces (IAM: {@code xray:BatchGetTraces}). The
 * documents are the ones that were sent, so they go through the same assembly as a trace file.
 */
final class XRayTraceFetcher {
    private XRayTraceFetcher() {
    }

    /**
     * @param endpoint a local endpoint instead of {@code https://xray.<region>.amazonaws.com}, or null
     * @return the documents; empty when X-Ray does not know the trace (not yet indexed, or older than 30 days)
     */
    static List<String> fetch(String traceId, String region, URI endpoint, AwsCredentialsProvider credentials) {
        XRayClientBuilder builder = XRayClient.builder()
                .region(Region.of(region))
                // The agent bundles exactly one HTTP client; naming it avoids the SDK's class-path scan.
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(30))
                        .build());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        if (credentials != null) {
            builder.credentialsProvider(credentials);
        }
        List<String> documents = new ArrayList<>();
        try (XRayClient client = builder.build()) {
            String nextToken = null;
            do {
                BatchGetTracesResponse response = client.batchGetTraces(BatchGetTracesRequest.builder()
                        .traceIds(traceId).nextToken(nextToken).build());
                for (software.amazon.awssdk.services.xray.model.Trace trace : response.traces()) {
                    for (Segment segment : trace.segments()) {
                        if (segment.document() != null) {
                            documents.add(segment.document());
                        }
                    }
                }
                nextToken = response.nextToken();
            } while (nextToken != null && !nextToken.isEmpty());
        }
        return documents;
    }
}
