package dev.xraybatch.agenttests.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xraybatch.agenttests.core.jobs.SteadyJob;
import dev.xraybatch.testsupport.ChildJvm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.BatchGetTracesResponse;
import software.amazon.awssdk.services.xray.model.Segment;
import software.amazon.awssdk.services.xray.model.TraceSummary;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A job with the agent exporting to moto_server's X-Ray, then read back as a user would: GetTraceSummaries and
 * BatchGetTraces through the SDK, and BatchGetTraces through the AWS CLI when it is installed. moto is a second,
 * independent implementation of the API: what it gives back is what the agent really sent.
 *
 * <p>Uses the moto_server {@code .ci/run} started (system property {@code moto.endpoint}), else starts one on a
 * free loopback port; skipped only when there is neither.
 */
class MotoEndToEndIT {
    private static final String REGION = "us-east-1";
    private static final String KEY = "testing";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TRACE_ID = Pattern.compile("as trace (1-[0-9a-f]{8}-[0-9a-f]{24})");

    private static Process startedMoto;
    private static URI moto;

    @BeforeAll
    static void motoServer() throws Exception {
        String given = System.getProperty("moto.endpoint");
        // Maven passes an unset MOTO_ENDPOINT through as the literal ${env.MOTO_ENDPOINT}.
        if (given != null && !given.isBlank() && !given.startsWith("${")) {
            moto = URI.create(given.trim());
            return;
        }
        Path motoServer = onPath("moto_server");
        assumeTrue(motoServer != null, "moto_server is not on the PATH and no moto.endpoint was given");
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        startedMoto = new ProcessBuilder(motoServer.toString(), "-H", "127.0.0.1", "-p", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        moto = URI.create("http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!accepts(port)) {
            assertThat(startedMoto.isAlive()).as("moto_server is running").isTrue();
            assertThat(System.nanoTime()).as("moto_server did not open port " + port).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stopMoto() throws InterruptedException {
        if (startedMoto != null) {
            startedMoto.destroy();
            if (!startedMoto.waitFor(10, TimeUnit.SECONDS)) {
                startedMoto.destroyForcibly();
            }
        }
    }

    /**
     * 150 subsegments: past 100 the agent streams finished ones as independent documents, as in any long job.
     * That also matters to moto, which keeps the in-progress and the complete root side by side and lists a trace
     * in its summaries only when its latest-starting document is complete; a trace whose only top-level
     * documents are its root never shows there.
     */
    @Test
    void aJobsTraceComesBackFromMoto() throws Exception {
        int items = 150;
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
        ChildJvm.Result result = ChildJvm.main(SteadyJob.class).args(String.valueOf(items), "1")
                .env("AWS_REGION", REGION)
                .env("AWS_ACCESS_KEY_ID", KEY)
                .env("AWS_SECRET_ACCESS_KEY", KEY)
                .env("AWS_ENDPOINT_URL_XRAY", moto.toString())
                .env("XRAY_BATCH_SHUTDOWN_DEADLINE_MS", "60000")
                .run(Duration.ofSeconds(120));
        result.assertExitCode(0);
        Instant after = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
        String traceId = traceId(result);
        ExportCounts counts = ExportCounts.of(result.stderr());
        assertThat(counts.traceId()).isEqualTo(traceId);
        assertThat(counts.rejected() + counts.dropped()).as(result.stderr()).isZero();

        try (XRayClient xray = XRayClient.builder().region(Region.of(REGION)).endpointOverride(moto)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, KEY)))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new MotoSummaryFix())).build()) {
            List<String> listed = xray.getTraceSummariesPaginator(r -> r.startTime(before).endTime(after))
                    .traceSummaries().stream().map(TraceSummary::id).collect(Collectors.toList());
            assertThat(listed).as("GetTraceSummaries from %s to %s", before, after).contains(traceId);

            BatchGetTracesResponse response = xray.batchGetTraces(r -> r.traceIds(traceId));
            assertThat(response.unprocessedTraceIds()).isEmpty();
            assertThat(response.traces()).hasSize(1);
            List<String> documents = response.traces().get(0).segments().stream().map(Segment::document)
                    .collect(Collectors.toList());
            assertThat(documents).as("documents the agent sent").hasSize((int) counts.sent());
            assertCompleteTrace(documents, traceId, items);
        }

        Path aws = onPath("aws");
        if (aws != null) {
            JsonNode cli = awsCli(aws, "xray", "batch-get-traces", "--trace-ids", traceId);
            List<String> documents = new ArrayList<>();
            cli.path("Traces").path(0).path("Segments").forEach(s -> documents.add(s.path("Document").asText()));
            assertCompleteTrace(documents, traceId, items);
        }
    }

    /** A stretch the gap sampler named: how many there are depends on the machine's load (TraceNode.isSampled). */
    private static boolean isSampled(JsonNode subsegment) {
        return !subsegment.path("metadata").path("gaps").path("samples").isMissingNode();
    }

    /**
     * The complete root names the job, and every subsegment the job's code made is there exactly once, embedded or
     * independent.
     */
    private static void assertCompleteTrace(List<String> documents, String traceId, int items) throws IOException {
        JsonNode root = null;
        List<String> subsegments = new ArrayList<>();
        for (String text : documents) {
            JsonNode document = JSON.readTree(text);
            assertThat(document.path("trace_id").asText()).isEqualTo(traceId);
            if ("subsegment".equals(document.path("type").asText())) {
                if (isSampled(document)) {
                    continue;
                }
                subsegments.add(document.path("name").asText());
            } else if (!document.path("in_progress").asBoolean(false)) {
                assertThat(root).as("one complete root document").isNull();
                root = document;
            }
        }
        assertThat(root).as("the complete root among " + documents).isNotNull();
        assertThat(root.path("name").asText()).isEqualTo("SteadyJob");
        assertThat(root.has("end_time")).isTrue();
        assertThat(root.path("annotations").path("exit_code").asInt(-1)).isZero();
        root.path("subsegments").forEach(s -> {
            if (!isSampled(s)) {
                subsegments.add(s.path("name").asText());
            }
        });
        // Every item the job traced, and the agent's "JVM start-up" phase before main and "JVM shut-down" after it.
        List<String> expected = IntStream.range(0, items).mapToObj(i -> "item " + i).collect(Collectors.toList());
        expected.add("JVM start-up");
        expected.add("JVM shut-down");
        assertThat(subsegments).containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * moto writes a summary's {@code Users} as an empty object where X-Ray's model has a list, which the SDK refuses
     * to read; this puts the list back before the SDK parses the answer. Nothing else is touched.
     */
    private static final class MotoSummaryFix implements ExecutionInterceptor {
        private static final Pattern USERS_AS_OBJECT = Pattern.compile("\"Users\"\\s*:\\s*\\{\\s*}");

        @Override
        public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                               ExecutionAttributes attributes) {
            return context.responseBody().map(body -> {
                try (InputStream in = body) {
                    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    String fixed = USERS_AS_OBJECT.matcher(text).replaceAll("\"Users\": []");
                    return new ByteArrayInputStream(fixed.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static String traceId(ChildJvm.Result result) {
        Matcher m = TRACE_ID.matcher(result.stderr());
        assertThat(m.find()).as("the agent's start line names the trace:\n" + result.stderr()).isTrue();
        return m.group(1);
    }

    /** Runs the AWS CLI against moto with dummy credentials and nothing from this machine's AWS configuration. */
    private static JsonNode awsCli(Path aws, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(aws.toString(), "--endpoint-url", moto.toString(),
                "--region", REGION, "--output", "json"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("AWS_"));
        builder.environment().put("AWS_ACCESS_KEY_ID", KEY);
        builder.environment().put("AWS_SECRET_ACCESS_KEY", KEY);
        builder.environment().put("AWS_CONFIG_FILE", "/dev/null");
        builder.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        builder.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        builder.environment().put("AWS_PAGER", "");
        Path output = Files.createTempFile("aws-cli", ".out");
        try {
            Process process = builder.redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("aws " + String.join(" ", arguments) + " did not finish");
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as("aws %s:%n%s", String.join(" ", arguments), text).isZero();
            return JSON.readTree(text);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException notYet) {
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
