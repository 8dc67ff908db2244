package dev.xraybatch.agent.export.xray;

import dev.xraybatch.agent.export.DocumentExporter;
import dev.xraybatch.agent.export.ExportSettings;
import dev.xraybatch.agent.export.SendOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.BatchGetTracesResponse;
import software.amazon.awssdk.services.xray.model.Segment;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Both X-Ray clients against moto's X-Ray, a second independent implementation of the API: what PutTraceSegments sent
 * must come back from BatchGetTraces. Skipped when {@code moto_server} is not on the PATH.
 */
class XRayApiExporterMotoTest {
    private static final AwsCredentialsProvider MOTO_CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));

    private static Process moto;
    private static URI endpoint;

    @BeforeAll
    static void startMoto() throws Exception {
        Path motoServer = onPath("moto_server");
        assumeTrue(motoServer != null, "moto_server is not on the PATH");
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        moto = new ProcessBuilder(motoServer.toString(), "-H", "127.0.0.1", "-p", String.valueOf(port))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        endpoint = URI.create("http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!accepts(port)) {
            assertThat(moto.isAlive()).as("moto_server exited with " + (moto.isAlive() ? "" : moto.exitValue()))
                    .isTrue();
            assertThat(System.nanoTime()).as("moto_server did not open port " + port).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stopMoto() throws InterruptedException {
        if (moto != null) {
            moto.destroy();
            if (!moto.waitFor(10, TimeUnit.SECONDS)) {
                moto.destroyForcibly();
            }
        }
    }

    @Test
    void whatPutTraceSegmentsSentComesBackFromBatchGetTraces() {
        ExportSettings settings = ExportSettings.builder().region("us-east-1").endpoint(endpoint.toString()).build();
        sendAndReadBack(new XRayApiExporter(settings, MOTO_CREDENTIALS));
    }

    @Test
    void theSdkFreeClientsDocumentsComeBackFromBatchGetTraces() {
        ExportSettings settings = ExportSettings.builder().region("us-east-1").endpoint(endpoint.toString()).build();
        Properties noProperties = new Properties();
        sendAndReadBack(new HttpXRayExporter(settings,
                Map.of("AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing"), noProperties));
    }

    private static void sendAndReadBack(DocumentExporter exporter) {
        String traceId = XRayApiExporterTest.newTraceId();
        List<String> documents = List.of(XRayApiExporterTest.segment(traceId, "job"),
                XRayApiExporterTest.segment(traceId, "step"));
        SendOutcome outcome;
        try {
            outcome = exporter.send(documents);
        } finally {
            exporter.close();
        }

        assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.ACCEPTED);
        assertThat(outcome.unprocessed()).isEmpty();
        try (XRayClient reader = XRayClient.builder().region(Region.US_EAST_1).endpointOverride(endpoint)
                .credentialsProvider(MOTO_CREDENTIALS).httpClient(UrlConnectionHttpClient.create()).build()) {
            BatchGetTracesResponse traces = reader.batchGetTraces(request -> request.traceIds(traceId));

            assertThat(traces.traces()).hasSize(1);
            List<String> returned = traces.traces().get(0).segments().stream().map(Segment::document)
                    .collect(Collectors.toList());
            assertThat(returned).containsExactlyInAnyOrderElementsOf(documents);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static Path onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String directory : path.split(File.pathSeparator)) {
            Path candidate = Paths.get(directory, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
