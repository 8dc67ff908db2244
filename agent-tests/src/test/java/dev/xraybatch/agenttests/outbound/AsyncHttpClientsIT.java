package dev.xraybatch.agenttests.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.RecordingHttpServer;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;

/**
 * Async HTTP clients with several requests in flight under one traced method ({@link ConcurrentRepliesJob}): each
 * request is one subsegment under that method's, begun on the calling thread and ended when its reply came back
 * (on the client's own thread), never when the call that sent it returned: the server answers each only
 * {@link ConcurrentRepliesJob#DELAY_MILLIS} after it arrived, so each subsegment lasts at least that long, and
 * ends before the method's own end (the caller's future completes only after the agent ended the request). A
 * request the job cancels ends then, a fault with the cancellation as its cause.
 */
class AsyncHttpClientsIT {
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    static Stream<Arguments> clients() {
        return Stream.of(
                Arguments.of("java.net.http sendAsync", "jdk", false),
                Arguments.of("java.net.http sendAsync https", "jdk", true),
                Arguments.of("Apache HttpClient 5 async", "apache5", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void concurrentRequestsEndWithTheirRepliesUnderTheirCaller(String name, String client, boolean https)
            throws Exception {
        Path config = dir.resolve("xray-batch.yaml");
        Files.write(config, String.join("\n",
                "service_name: concurrent-replies",
                "pointcuts:",
                "  - classes: " + ConcurrentRepliesJob.class.getName(),
                "    methods: fetchAll",
                "").getBytes(StandardCharsets.UTF_8));
        try (RecordingHttpServer server = https ? RecordingHttpServer.https() : RecordingHttpServer.http();
             LocalXRayEndpoint endpoint = LocalXRayEndpoint.start()) {
            ChildJvm jvm = ChildJvm.main(ConcurrentRepliesJob.class).name("async-" + client).xray(endpoint)
                    .agentArgs("config=" + config).args(server.uri("/").toString(), client);
            server.trustStoreProperties().forEach(jvm::jvmArgs);
            ChildJvm.Result run = jvm.run(RUN_TIMEOUT);
            run.assertExitCode(0);
            for (int i = 0; i < ConcurrentRepliesJob.REQUESTS; i++) {
                assertThat(run.stdout()).as(run.toString()).contains("reply " + i + " 200");
            }
            assertThat(run.stdout()).containsPattern("reply refused \\S*Connect\\S*Exception");
            assertThat(run.stdout()).contains("reply cancelled java.util.concurrent.CancellationException");

            Trace trace = endpoint.awaitTrace(t -> !t.root().isInProgress(), Duration.ofSeconds(30));
            endpoint.assertNoViolations();
            TraceNode caller = trace.nodes().stream().filter(n -> n.name().contains("fetchAll")).findFirst()
                    .orElseThrow(() -> new AssertionError("no fetchAll subsegment in " + trace.render()));
            List<TraceNode> requests = trace.nodes().stream()
                    .filter(n -> !n.get("http").path("request").isMissingNode())
                    .sorted(Comparator.comparing(n -> n.get("http").path("request").path("url").asText()))
                    .collect(Collectors.toList());
            assertThat(requests).as(trace.render()).hasSize(ConcurrentRepliesJob.REQUESTS + 2);
            assertThat(requests).allSatisfy(n -> {
                assertThat(n.parent()).as(trace.render()).hasValueSatisfying(p -> assertThat(p.id())
                        .isEqualTo(caller.id()));
                assertThat(n.get("namespace").asText()).isEqualTo("remote");
                assertThat(n.endTime()).as("ends within its caller").isLessThanOrEqualTo(caller.endTime());
            });

            List<TraceNode> slow = requests.stream().filter(n -> n.get("http").path("request").path("url").asText()
                    .contains("/slow/" + ConcurrentRepliesJob.DELAY_MILLIS + "/")).collect(Collectors.toList());
            assertThat(slow).hasSize(ConcurrentRepliesJob.REQUESTS);
            // The cancelled request may have reached the server or not.
            List<RecordingHttpServer.Request> arrived = server.awaitRequests(ConcurrentRepliesJob.REQUESTS,
                    Duration.ofSeconds(5)).stream().filter(r -> !r.path().equals(ConcurrentRepliesJob.CANCELLED_PATH))
                    .collect(Collectors.toList());
            assertThat(arrived).hasSize(ConcurrentRepliesJob.REQUESTS);
            for (int i = 0; i < slow.size(); i++) {
                TraceNode request = slow.get(i);
                String path = "/slow/" + ConcurrentRepliesJob.DELAY_MILLIS + "/" + i;
                assertThat(request.get("http").path("request").path("url").asText())
                        .isEqualTo(server.uri(path).toString());
                assertThat(request.get("http").path("response").path("status").asInt()).isEqualTo(200);
                assertThat(request.hasFailed()).isFalse();
                // The server answered DELAY_MILLIS after the request arrived, which was after the subsegment began.
                assertThat(request.endTime() - request.startTime()).as("%s lasts until its reply", path)
                        .isGreaterThanOrEqualTo(ConcurrentRepliesJob.DELAY_MILLIS / 1000.0);
                RecordingHttpServer.Request received = arrived.stream().filter(r -> r.path().equals(path))
                        .findFirst().orElseThrow();
                assertThat(received.query()).isEqualTo(HttpScenario.SECRET_QUERY);
                assertThat(received.headers("X-Amzn-Trace-Id")).as(path).containsExactly(
                        "Root=" + trace.traceId() + ";Parent=" + request.id() + ";Sampled=1");
            }
            TraceNode refused = requests.stream().filter(n -> n.get("http").path("request").path("url").asText()
                    .endsWith("/nothing")).findFirst().orElseThrow();
            assertThat(refused.get("fault").asBoolean()).isTrue();
            assertThat(refused.get("cause").path("exceptions").path(0).path("type").asText()).contains("Connect");
            // Cancelled: ended then, with no status, as a fault that says so (the server would answer in 20 s).
            TraceNode cancelled = requests.stream().filter(n -> n.get("http").path("request").path("url").asText()
                    .endsWith(ConcurrentRepliesJob.CANCELLED_PATH)).findFirst().orElseThrow();
            assertThat(cancelled.get("http").path("response").path("status").isMissingNode()).isTrue();
            assertThat(cancelled.get("fault").asBoolean()).isTrue();
            assertThat(cancelled.get("cause").path("exceptions").path(0).path("type").asText())
                    .isEqualTo("java.util.concurrent.CancellationException");
            assertThat(endpoint.documents()).allSatisfy(doc -> assertThat(doc.toString())
                    .doesNotContain("QueryS3cret").doesNotContain(ConcurrentRepliesJob.SECRET_PASSWORD)
                    .doesNotContain("reader:"));
        }
    }
}
