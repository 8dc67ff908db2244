package dev.xraybatch.agent.export.xray;

import dev.xraybatch.agent.export.DocumentExporter;
import dev.xraybatch.agent.export.ExportSettings;
import dev.xraybatch.agent.export.SendOutcome;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.XRayClientBuilder;
import software.amazon.awssdk.services.xray.model.BatchGetTracesRequest;
import software.amazon.awssdk.services.xray.model.PutTraceSegmentsRequest;
import software.amazon.awssdk.services.xray.model.PutTraceSegmentsResponse;
import software.amazon.awssdk.services.xray.model.ThrottledException;
import software.amazon.awssdk.services.xray.model.UnprocessedTraceSegment;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends batches with PutTraceSegments through the AWS SDK v2 (relocated into the agent's jar).
 *
 * <p>The client is built lazily at the first send, on the export worker thread, so that neither start-up nor the
 * application's threads pay for the SDK. Region and credentials come from the SDK's default chains unless the
 * settings name a region; the endpoint comes from the settings, else from the SDK itself, which already honours
 * {@code AWS_ENDPOINT_URL_XRAY} and {@code AWS_ENDPOINT_URL} (and their system properties). The SDK's own retries are
 * off: the pipeline retries, holding the batch, for as long as the job runs.
 */
public final class XRayApiExporter implements DocumentExporter {
    private static final int MAX_REASON = 300;

    private final ExportSettings settings;
    /** Null means the SDK's default chain; tests pass static credentials. */
    private final AwsCredentialsProvider credentialsOverride;

    private XRayClient client;
    private SdkHttpClient httpClient;
    private AwsCredentialsProvider credentials;
    private volatile String description;
    private boolean limitChecksOff;

    /** An exporter with the SDK's default credential chain. */
    public XRayApiExporter(ExportSettings settings) {
        this(settings, null);
    }

    XRayApiExporter(ExportSettings settings, AwsCredentialsProvider credentialsOverride) {
        this.settings = settings;
        this.credentialsOverride = credentialsOverride;
        this.description = describe(settings.region(), settings.endpoint());
    }

    @Override
    public SendOutcome send(List<String> documents) {
        if (client == null) {
            SendOutcome problem = buildClient();
            if (problem != null) {
                return problem;
            }
        }
        try {
            PutTraceSegmentsResponse response = client.putTraceSegments(
                    PutTraceSegmentsRequest.builder().traceSegmentDocuments(documents).build());
            if (!response.hasUnprocessedTraceSegments() || response.unprocessedTraceSegments().isEmpty()) {
                return SendOutcome.accepted();
            }
            List<SendOutcome.Unprocessed> refused = new ArrayList<SendOutcome.Unprocessed>();
            for (UnprocessedTraceSegment u : response.unprocessedTraceSegments()) {
                refused.add(new SendOutcome.Unprocessed(u.id(), u.errorCode(), u.message()));
            }
            return SendOutcome.accepted(refused);
        } catch (AwsServiceException e) {
            return classify(e);
        } catch (SdkClientException e) {
            // No response at all: connection refused, timeout, DNS, or credentials that failed to refresh.
            return SendOutcome.retryable(rootCauseName(e), shorten(e.getMessage()));
        } catch (RuntimeException e) {
            return SendOutcome.permanent(e.getClass().getSimpleName(), shorten(e.getMessage()));
        }
    }

    /** BatchGetTraces' {@code LimitExceeded}; a refusal (no xray:BatchGetTraces) turns the question off quietly. */
    @Override
    public Boolean traceLimitExceeded(String traceId) {
        if (client == null || limitChecksOff || traceId == null) {
            return null;
        }
        try {
            for (software.amazon.awssdk.services.xray.model.Trace trace : client.batchGetTraces(
                    BatchGetTracesRequest.builder().traceIds(traceId).build()).traces()) {
                if (traceId.equals(trace.id())) {
                    return Boolean.TRUE.equals(trace.limitExceeded());
                }
            }
            return Boolean.FALSE;
        } catch (AwsServiceException e) {
            if (e.statusCode() == 403 || e.statusCode() == 400 || e.statusCode() == 404) {
                limitChecksOff = true;
                dev.xraybatch.agent.log.AgentLog.debug("BatchGetTraces answered HTTP " + e.statusCode()
                        + ": not asking X-Ray again whether a trace is over its quota");
            }
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Maps a whole-call error to what the pipeline should do with the batch. */
    static SendOutcome classify(AwsServiceException e) {
        int status = e.statusCode();
        AwsErrorDetails details = e.awsErrorDetails();
        String code = details != null && details.errorCode() != null ? details.errorCode() : "HTTP " + status;
        String message = details != null && details.errorMessage() != null ? details.errorMessage() : e.getMessage();
        String reason = "HTTP " + status + ", " + shorten(message);
        // ThrottledException is X-Ray's 429; isThrottlingException also knows the generic 400 "ThrottlingException".
        if (e instanceof ThrottledException || e.isThrottlingException() || status == 429 || status >= 500
                || status == 408 || e.isClockSkewException()) {
            return SendOutcome.retryable(code, reason);
        }
        if (status == 403) {
            return SendOutcome.permanent(code, reason + "; the job's role needs xray:PutTraceSegments"
                    + " (managed policy AWSXrayWriteOnlyAccess)");
        }
        return SendOutcome.permanent(code, reason);
    }

    /** Builds the client; returns the outcome to report when this run cannot reach X-Ray at all. */
    private SendOutcome buildClient() {
        Region region;
        try {
            region = settings.region() != null ? Region.of(settings.region())
                    : new DefaultAwsRegionProviderChain().getRegion();
        } catch (RuntimeException e) {
            return SendOutcome.unusable("no AWS region; set AWS_REGION (or AWS_DEFAULT_REGION), or the agent's"
                    + " region setting (XRAY_BATCH_REGION, -Dxraybatch.region, region= in -javaagent arguments)");
        }
        URI endpoint = null;
        if (settings.endpoint() != null) {
            try {
                endpoint = URI.create(settings.endpoint());
            } catch (IllegalArgumentException e) {
                return SendOutcome.unusable("the endpoint setting '" + settings.endpoint() + "' is not a URL");
            }
            if (endpoint.getScheme() == null || endpoint.getHost() == null) {
                return SendOutcome.unusable("the endpoint setting '" + settings.endpoint()
                        + "' is not a URL like https://xray.eu-west-1.amazonaws.com");
            }
        }
        AwsCredentialsProvider provider = credentialsOverride != null ? credentialsOverride
                : DefaultCredentialsProvider.builder().build();
        try {
            // Resolved once here so that a run without credentials is told so once, instead of retrying forever.
            provider.resolveCredentials();
        } catch (RuntimeException e) {
            closeQuietly(provider);
            return SendOutcome.unusable("no AWS credentials (" + shorten(e.getMessage()) + ")");
        }
        SdkHttpClient http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofMillis(settings.connectTimeoutMillis()))
                .socketTimeout(Duration.ofMillis(settings.readTimeoutMillis()))
                .build();
        try {
            XRayClientBuilder builder = XRayClient.builder()
                    .region(region)
                    .credentialsProvider(provider)
                    .httpClient(http)
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                            // A whole-call deadline: a socket timeout alone lets a byte-a-second answer hold on.
                            .apiCallTimeout(Duration.ofMillis(settings.callTimeoutMillis())));
            if (endpoint != null) {
                builder.endpointOverride(endpoint);
            }
            client = builder.build();
        } catch (RuntimeException e) {
            closeQuietly(http);
            closeQuietly(provider);
            return SendOutcome.unusable("the X-Ray client could not be built (" + shorten(e.getMessage()) + ")");
        }
        httpClient = http;
        credentials = provider;
        description = describe(region.id(), settings.endpoint());
        return null;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        closeQuietly(client);
        closeQuietly(httpClient);
        if (credentials != credentialsOverride) {
            closeQuietly(credentials);
        }
        client = null;
    }

    private static String describe(String region, String endpoint) {
        StringBuilder text = new StringBuilder("the X-Ray API");
        if (region != null) {
            text.append(" (").append(region).append(')');
        }
        if (endpoint != null) {
            text.append(" at ").append(endpoint);
        }
        return text.toString();
    }

    private static String rootCauseName(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }

    private static String shorten(String text) {
        if (text == null) {
            return "no message";
        }
        return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON) + "...";
    }

    private static void closeQuietly(Object closeable) {
        if (closeable instanceof AutoCloseable) {
            try {
                ((AutoCloseable) closeable).close();
            } catch (Throwable ignored) {
                // Closing at exit: nothing left to do about it.
            }
        }
    }
}
