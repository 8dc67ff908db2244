package dev.xraybatch.agent.export.xray;

import dev.xraybatch.agent.export.Emittable;
import dev.xraybatch.agent.export.ExportPipeline;
import dev.xraybatch.agent.export.ExportSettings;
import dev.xraybatch.agent.export.ExportStats;
import dev.xraybatch.agent.export.SendOutcome;
import dev.xraybatch.testsupport.Fault;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The exporter against the local X-Ray endpoint of test-support, which answers as X-Ray does. */
class XRayApiExporterTest {
    static final AwsCredentialsProvider TEST_CREDENTIALS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create(LocalXRayEndpoint.ACCESS_KEY_ID, LocalXRayEndpoint.SECRET_ACCESS_KEY));
    private static final SecureRandom RANDOM = new SecureRandom();

    private LocalXRayEndpoint xray;
    private XRayApiExporter exporter;

    @BeforeEach
    void start() {
        xray = LocalXRayEndpoint.start();
        exporter = new XRayApiExporter(settings().build(), TEST_CREDENTIALS);
    }

    @AfterEach
    void stop() {
        exporter.close();
        xray.close();
    }

    private ExportSettings.Builder settings() {
        return ExportSettings.builder().region(LocalXRayEndpoint.REGION).endpoint(xray.url().toString());
    }

    /** A fresh trace id as the agent makes it: the epoch of now and 96 random bits. */
    static String newTraceId() {
        return "1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-" + hex(12);
    }

    static String segment(String traceId, String name) {
        double now = System.currentTimeMillis() / 1000.0;
        return "{\"name\":\"" + name + "\",\"id\":\"" + hex(8) + "\",\"trace_id\":\"" + traceId
                + "\",\"start_time\":" + (now - 1) + ",\"end_time\":" + now + "}";
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static List<String> segments(String traceId, int count) {
        return IntStream.range(0, count).mapToObj(i -> segment(traceId, "step-" + i)).collect(Collectors.toList());
    }

    @Test
    void sendsABatchThatXRayAccepts() {
        String traceId = newTraceId();

        SendOutcome outcome = exporter.send(segments(traceId, 50));

        assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.ACCEPTED);
        assertThat(outcome.unprocessed()).isEmpty();
        assertThat(xray.documents(traceId)).hasSize(50);
        assertThat(xray.callCount()).isEqualTo(1);
        xray.assertNoViolations();
        assertThat(exporter.describe()).isEqualTo("the X-Ray API (us-east-1) at " + xray.url());
    }

    @Test
    void throttlingAndServerFaultsAreRetryableAndTheSdkDoesNotRetryThemItself() {
        String traceId = newTraceId();
        Fault[] faults = {Fault.THROTTLE, Fault.RATE_EXCEEDED, Fault.INTERNAL_ERROR, Fault.SERVICE_UNAVAILABLE};
        for (Fault fault : faults) {
            xray.failNext(1, fault);
            int callsBefore = xray.callCount();

            SendOutcome outcome = exporter.send(segments(traceId, 3));

            assertThat(outcome.kind()).as(fault.name()).isEqualTo(SendOutcome.Kind.RETRYABLE);
            assertThat(outcome.code()).as(fault.name()).isEqualTo(fault.errorType());
            assertThat(outcome.reason()).as(fault.name()).contains("HTTP " + fault.status());
            assertThat(xray.callCount() - callsBefore).as("calls for " + fault.name()).isEqualTo(1);
        }
        assertThat(xray.documents(traceId)).isEmpty();
    }

    @Test
    void anInvalidRequestIsPermanent() {
        SendOutcome outcome = exporter.send(segments(newTraceId(), 51));

        assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.PERMANENT);
        assertThat(outcome.code()).isEqualTo("InvalidRequestException");
        assertThat(outcome.reason()).contains("Exceeding maximum segment count");
    }

    @Test
    void aRefusedSignatureIsPermanentAndSaysWhichPermissionIsNeeded() {
        XRayApiExporter wrongSecret = new XRayApiExporter(settings().build(), StaticCredentialsProvider.create(
                AwsBasicCredentials.create(LocalXRayEndpoint.ACCESS_KEY_ID, "not-the-secret")));
        try {
            SendOutcome outcome = wrongSecret.send(segments(newTraceId(), 1));

            assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.PERMANENT);
            assertThat(outcome.reason()).contains("HTTP 403").contains("xray:PutTraceSegments")
                    .doesNotContain("not-the-secret");
        } finally {
            wrongSecret.close();
        }
    }

    @Test
    void unprocessedSegmentsAreReportedOneByOne() {
        String traceId = newTraceId();
        List<String> documents = segments(traceId, 4);
        xray.rejectDocuments(document -> document.path("name").asText().equals("step-2"), "InvalidSegment");

        SendOutcome outcome = exporter.send(documents);

        assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.ACCEPTED);
        assertThat(outcome.unprocessed()).hasSize(1);
        assertThat(outcome.unprocessed().get(0).errorCode()).isEqualTo("InvalidSegment");
        assertThat(documents.get(2)).contains("\"id\":\"" + outcome.unprocessed().get(0).id() + "\"");
    }

    @Test
    void aClosedPortIsRetryableAndTheSameExporterWorksWhenTheEndpointIsBack() {
        xray.refuseConnections();
        SendOutcome down = exporter.send(segments(newTraceId(), 1));
        xray.acceptConnections();
        String traceId = newTraceId();
        SendOutcome back = exporter.send(segments(traceId, 2));

        assertThat(down.kind()).isEqualTo(SendOutcome.Kind.RETRYABLE);
        assertThat(down.code()).isEqualTo("ConnectException");
        assertThat(back.kind()).isEqualTo(SendOutcome.Kind.ACCEPTED);
        assertThat(xray.documents(traceId)).hasSize(2);
    }

    @Test
    void missingCredentialsMakeTheExporterUnusableWithoutCallingXRay() {
        AwsCredentialsProvider none = () -> {
            throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
        };
        XRayApiExporter withoutCredentials = new XRayApiExporter(settings().build(), none);

        SendOutcome outcome = withoutCredentials.send(segments(newTraceId(), 1));

        assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.UNUSABLE);
        assertThat(outcome.reason()).startsWith("no AWS credentials");
        assertThat(xray.callCount()).isZero();
        withoutCredentials.close();
    }

    @Test
    void missingRegionMakesTheExporterUnusableAndSaysHowToSetIt() {
        assumeTrue(System.getenv("AWS_REGION") == null && System.getenv("AWS_DEFAULT_REGION") == null,
                "the environment names a region");
        String[] properties = {"aws.region", "aws.disableEc2Metadata", "aws.configFile"};
        String[] saved = new String[properties.length];
        for (int i = 0; i < properties.length; i++) {
            saved[i] = System.getProperty(properties[i]);
        }
        try {
            System.clearProperty("aws.region");
            System.setProperty("aws.disableEc2Metadata", "true"); // no instance metadata to ask on a laptop
            System.setProperty("aws.configFile", "/nonexistent/aws-config");
            XRayApiExporter noRegion = new XRayApiExporter(
                    ExportSettings.builder().endpoint(xray.url().toString()).build(), TEST_CREDENTIALS);

            SendOutcome outcome = noRegion.send(segments(newTraceId(), 1));

            assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.UNUSABLE);
            assertThat(outcome.reason()).startsWith("no AWS region").contains("AWS_REGION");
            noRegion.close();
        } finally {
            for (int i = 0; i < properties.length; i++) {
                if (saved[i] == null) {
                    System.clearProperty(properties[i]);
                } else {
                    System.setProperty(properties[i], saved[i]);
                }
            }
        }
    }

    @Test
    void theSdkItselfHonoursTheStandardXRayEndpointSetting() {
        // AWS_ENDPOINT_URL_XRAY and its system property aws.endpointUrlXRay are read by the SDK: we must not
        // override them when the agent's own endpoint setting is unset.
        String saved = System.getProperty("aws.endpointUrlXRay");
        System.setProperty("aws.endpointUrlXRay", xray.url().toString());
        XRayApiExporter standard = new XRayApiExporter(
                ExportSettings.builder().region(LocalXRayEndpoint.REGION).build(), TEST_CREDENTIALS);
        try {
            String traceId = newTraceId();

            assertThat(standard.send(segments(traceId, 1)).kind()).isEqualTo(SendOutcome.Kind.ACCEPTED);
            assertThat(xray.documents(traceId)).hasSize(1);
        } finally {
            standard.close();
            if (saved == null) {
                System.clearProperty("aws.endpointUrlXRay");
            } else {
                System.setProperty("aws.endpointUrlXRay", saved);
            }
        }
    }

    @Test
    void throughThePipelineAnOutageLosesNothingThatFitsTheQueue() throws Exception {
        String traceId = newTraceId();
        List<String> documents = segments(traceId, 230);
        ExportPipeline pipeline = ExportPipeline.start(exporter, settings()
                .retryInitialBackoffMillis(5).retryMaxBackoffMillis(50).batchDelayMillis(20).build());
        xray.failWith(Fault.SERVICE_UNAVAILABLE);
        AtomicInteger offered = new AtomicInteger();
        for (String document : documents) {
            Emittable item = sink -> sink.accept(document);
            offered.addAndGet(pipeline.offer(item) ? 1 : 0);
        }
        awaitFaultedCalls(3);
        xray.stopFailing();

        ExportStats stats = pipeline.shutdown(30_000);

        assertThat(offered.get()).isEqualTo(230);
        assertThat(stats.documentsSent()).isEqualTo(230);
        assertThat(stats.sendsRetried()).isGreaterThanOrEqualTo(3);
        assertThat(stats.nothingLost()).isTrue();
        List<String> ids = new ArrayList<>();
        xray.documents(traceId).forEach(document -> ids.add(document.path("id").asText()));
        assertThat(ids).hasSize(230).doesNotHaveDuplicates();
        xray.assertNoViolations();
    }

    private void awaitFaultedCalls(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (xray.faultedCallCount() < count) {
            assertThat(System.nanoTime()).as("faulted calls").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
