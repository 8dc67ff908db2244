package dev.xraybatch.agent.instrument.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xraybatch.agent.export.ExportPipeline;
import dev.xraybatch.agent.instrument.RecordedTrace;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.testsupport.RecordingHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.HttpsURLConnection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The recorder driven as the HTTP clients' advice will drive it, around real requests to a real local server
 * that shows what arrived (the trace header). The documents are read back as X-Ray gets them.
 */
class HttpRecorderTest {
    private static final String SECRET_QUERY = "token=Sup3rSecretT0ken";

    private final HttpRecorder recorder = new HttpRecorder(true, true);
    private RecordingHttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = RecordingHttpServer.http();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** What HttpURLConnection's advice does: begin before it connects, end with the status or the failure. */
    private int urlConnection(HttpRecorder r, HttpURLConnection connection) throws IOException {
        HttpCall call = r.begin(connection);
        int status = 0;
        try {
            status = connection.getResponseCode();
            try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (body != null) {
                    body.readAllBytes();
                }
            }
            r.finish(call, status, connection.getContentLengthLong(), null);
            return status;
        } catch (IOException e) {
            r.finish(call, status, -1, e);
            throw e;
        }
    }

    private HttpURLConnection open(String pathAndQuery) throws IOException {
        return (HttpURLConnection) server.uri(pathAndQuery).toURL().openConnection();
    }

    /** java.net.http's advice: the request's builder takes the header before it is built; values go by hand. */
    private static HttpRecorder.Headers builderHeaders(HttpRequest.Builder builder, HttpRequest original) {
        return new HttpRecorder.Headers() {
            @Override
            public String get(String name) {
                return original.headers().firstValue(name).orElse(null);
            }

            @Override
            public void set(String name, String value) {
                builder.header(name, value);
            }
        };
    }

    @Test
    void aRequestIsARemoteSubsegmentNamedAfterTheHostAndItsParentArrivesInTheTraceHeader() throws Exception {
        RecordedTrace trace = new RecordedTrace();
        int status = urlConnection(recorder, open("/orders/42?" + SECRET_QUERY));
        List<String> docs = trace.finish();

        assertThat(status).isEqualTo(200);
        JsonNode call = RecordedTrace.subsegments(docs).get(0);
        assertThat(call.path("name").asText()).isEqualTo("127.0.0.1");
        assertThat(call.path("namespace").asText()).isEqualTo("remote");
        assertThat(call.path("http").path("request").path("method").asText()).isEqualTo("GET");
        assertThat(call.path("http").path("request").path("url").asText())
                .isEqualTo("http://127.0.0.1:" + server.port() + "/orders/42");
        assertThat(call.path("http").path("response").path("status").asInt()).isEqualTo(200);
        assertThat(call.path("http").path("response").path("content_length").asLong()).isEqualTo(2);
        assertThat(call.has("error") || call.has("fault")).isFalse();

        RecordingHttpServer.Request arrived = server.awaitRequests(1, Duration.ofSeconds(5)).get(0);
        assertThat(arrived.query()).isEqualTo(SECRET_QUERY);
        assertThat(arrived.header("X-Amzn-Trace-Id")).isEqualTo("Root=" + trace.tracer.traceId() + ";Parent="
                + call.path("id").asText() + ";Sampled=1");
        assertThat(String.join("\n", docs)).doesNotContain("Sup3rSecret");
    }

    @Test
    void requestsOfOneKindGetSubsegmentsUpToTheLimitThenOneSummaryWhoseRequestsNameTheParent() throws Exception {
        HttpRecorder limited = new HttpRecorder(true, true, 2);
        RecordedTrace trace = new RecordedTrace();
        for (int i = 0; i < 5; i++) {
            urlConnection(limited, open("/items/" + i));
        }
        String rootId = trace.tracer.root().id();
        List<String> docs = trace.finish();

        List<JsonNode> calls = RecordedTrace.subsegments(docs);
        assertThat(calls.stream().filter(n -> !n.path("http").path("request").isMissingNode())).hasSize(2);
        List<JsonNode> summaries = calls.stream().filter(n -> !n.path("metadata").path("xray_batch")
                .path("summary").isMissingNode()).collect(java.util.stream.Collectors.toList());
        assertThat(summaries).hasSize(1);
        assertThat(summaries.get(0).path("metadata").path("xray_batch").path("summary").path("count").asInt())
                .isEqualTo(3);
        List<RecordingHttpServer.Request> arrived = server.awaitRequests(5, Duration.ofSeconds(5));
        for (int i = 2; i < 5; i++) {
            assertThat(arrived.get(i).header("X-Amzn-Trace-Id"))
                    .isEqualTo("Root=" + trace.tracer.traceId() + ";Parent=" + rootId + ";Sampled=1");
        }
    }

    @Test
    void statusesMapToErrorThrottleAndFaultAndAnExceptionIsAFaultWithItsCause() throws Exception {
        RecordedTrace trace = new RecordedTrace();
        // HttpURLConnection's own FileNotFoundException on a 404 quotes the whole URL.
        HttpURLConnection notFound = open("/status/404?" + SECRET_QUERY);
        HttpCall call404 = recorder.begin(notFound);
        assertThatThrownBy(notFound::getInputStream).isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining(SECRET_QUERY);
        try {
            notFound.getInputStream();
        } catch (FileNotFoundException e) {
            recorder.finish(call404, notFound.getResponseCode(), -1, e);
        }
        urlConnection(recorder, open("/status/429"));
        urlConnection(recorder, open("/status/500"));
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        HttpURLConnection refused = (HttpURLConnection) URI.create("http://127.0.0.1:" + closedPort + "/x")
                .toURL().openConnection();
        assertThatThrownBy(() -> urlConnection(recorder, refused)).isInstanceOf(IOException.class);
        List<String> docs = trace.finish();

        List<JsonNode> calls = RecordedTrace.subsegments(docs);
        assertThat(calls).hasSize(4);
        JsonNode e404 = calls.get(0);
        assertThat(e404.path("error").asBoolean()).isTrue();
        assertThat(e404.path("fault").asBoolean()).isTrue(); // the client threw: a fault with its cause
        assertThat(e404.path("http").path("response").path("status").asInt()).isEqualTo(404);
        assertThat(e404.path("cause").path("exceptions").get(0).path("type").asText())
                .isEqualTo("java.io.FileNotFoundException");
        assertThat(e404.path("cause").path("exceptions").get(0).path("message").asText())
                .isEqualTo("http://127.0.0.1:" + server.port() + "/status/404");
        JsonNode throttled = calls.get(1);
        assertThat(throttled.path("throttle").asBoolean()).isTrue();
        assertThat(throttled.path("error").asBoolean()).isTrue();
        assertThat(throttled.has("fault")).isFalse();
        JsonNode failed = calls.get(2);
        assertThat(failed.path("fault").asBoolean()).isTrue();
        assertThat(failed.has("error")).isFalse();
        JsonNode refusedCall = calls.get(3);
        assertThat(refusedCall.path("fault").asBoolean()).isTrue();
        assertThat(refusedCall.path("cause").path("exceptions").get(0).path("type").asText())
                .isEqualTo("java.net.ConnectException");
        assertThat(refusedCall.path("http").has("response")).isFalse();
        assertThat(String.join("\n", docs)).doesNotContain("Sup3rSecret");
    }

    @Test
    void aRequestThatCarriesATraceHeaderKeepsItAndPropagationCanBeOff() throws Exception {
        RecordedTrace trace = new RecordedTrace();
        String upstream = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        HttpURLConnection own = open("/own");
        own.setRequestProperty("X-Amzn-Trace-Id", upstream);
        urlConnection(recorder, own);
        urlConnection(new HttpRecorder(false, true), open("/off"));
        List<String> docs = trace.finish();

        List<RecordingHttpServer.Request> arrived = server.awaitRequests(2, Duration.ofSeconds(5));
        assertThat(arrived.get(0).headers("X-Amzn-Trace-Id")).containsExactly(upstream);
        assertThat(arrived.get(1).header("X-Amzn-Trace-Id")).isNull();
        assertThat(RecordedTrace.subsegments(docs)).hasSize(2);
    }

    @Test
    void httpsRequestsAreRecordedAndCarryTheHeader() throws Exception {
        try (RecordingHttpServer https = RecordingHttpServer.https()) {
            RecordedTrace trace = new RecordedTrace();
            HttpsURLConnection connection = (HttpsURLConnection) https.uri("/secure?" + SECRET_QUERY).toURL()
                    .openConnection();
            connection.setSSLSocketFactory(https.clientSslContext().getSocketFactory());
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            HttpCall call = recorder.begin(connection);
            connection.getOutputStream().write(new byte[] {1, 2, 3});
            int status = connection.getResponseCode();
            connection.getInputStream().readAllBytes();
            recorder.finish(call, status, connection.getContentLengthLong(), null);
            List<String> docs = trace.finish();

            JsonNode recorded = RecordedTrace.subsegments(docs).get(0);
            assertThat(recorded.path("name").asText()).isEqualTo("localhost");
            assertThat(recorded.path("http").path("request").path("method").asText()).isEqualTo("POST");
            assertThat(recorded.path("http").path("request").path("url").asText())
                    .isEqualTo("https://localhost:" + https.port() + "/secure");
            assertThat(https.awaitRequests(1, Duration.ofSeconds(5)).get(0).header("X-Amzn-Trace-Id"))
                    .contains("Parent=" + recorded.path("id").asText());
        }
    }

    @Test
    void sendAsyncEndsWhenTheReplyArrivesUnderTheCallersSubsegment() throws Exception {
        RecordedTrace trace = new RecordedTrace();
        HttpClient client = HttpClient.newHttpClient();
        Subsegment step = trace.tracer.begin("load-step");
        HttpRequest original = HttpRequest.newBuilder(server.uri("/slow/200?" + SECRET_QUERY)).build();
        HttpRequest.Builder copy = HttpRequest.newBuilder(original.uri()).method(original.method(),
                original.bodyPublisher().orElse(HttpRequest.BodyPublishers.noBody()));
        HttpCall call = recorder.begin(original.method(), original.uri(), builderHeaders(copy, original));
        CompletableFuture<HttpResponse<String>> reply = client.sendAsync(copy.build(),
                HttpResponse.BodyHandlers.ofString());
        recorder.leave(call);
        // The caller goes on while the request is out: nothing of the request is current here.
        assertThat(trace.tracer.current()).isSameAs(step);
        AtomicReference<String> endedOn = new AtomicReference<>();
        reply.whenComplete((response, error) -> {
            endedOn.set(Thread.currentThread().getName());
            recorder.end(call, response == null ? 0 : response.statusCode(),
                    response == null ? -1 : response.headers().firstValueAsLong("content-length").orElse(-1), error);
        }).get();
        trace.tracer.end(step);
        List<String> docs = trace.finish();

        JsonNode stepDoc = RecordedTrace.subsegments(docs).get(0);
        assertThat(stepDoc.path("name").asText()).isEqualTo("load-step");
        JsonNode request = stepDoc.path("subsegments").get(0);
        assertThat(request.path("name").asText()).isEqualTo("127.0.0.1");
        assertThat(request.path("http").path("response").path("status").asInt()).isEqualTo(200);
        assertThat(request.path("end_time").asDouble() - request.path("start_time").asDouble())
                .isGreaterThanOrEqualTo(0.2);
        assertThat(endedOn.get()).isNotEqualTo(Thread.currentThread().getName());
        assertThat(server.requests().get(0).header("X-Amzn-Trace-Id"))
                .contains("Parent=" + request.path("id").asText());
    }

    @Test
    void aClientOnTopOfAnotherAwsSdkRequestsAndTheExportThreadAreNotRecordedTwiceOrAtAll() throws Exception {
        RecordedTrace trace = new RecordedTrace();
        HttpURLConnection connection = open("/nested");
        HttpCall outer = recorder.begin("GET", connection.getURL().toURI(), null);
        int status = urlConnection(recorder, connection);
        recorder.finish(outer, status, 2, null);

        HttpURLConnection sdk = open("/sdk");
        sdk.setRequestProperty("amz-sdk-invocation-id", "b6a1c2d3-0000-4000-8000-000000000000");
        urlConnection(recorder, sdk);

        AtomicReference<HttpCall> fromExport = new AtomicReference<>();
        Thread worker = new Thread(() -> fromExport.set(recorder.begin("POST", server.uri("/TraceSegments"), null)),
                ExportPipeline.WORKER_THREAD_NAME);
        worker.start();
        worker.join();

        List<JsonNode> calls = RecordedTrace.subsegments(trace.finish());
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).path("http").path("request").path("url").asText()).endsWith("/nested");
        assertThat(fromExport.get()).isNull();
        // The outer client could not change its request (no headers given) and the nested one adds nothing of its own.
        assertThat(server.requests().get(0).header("X-Amzn-Trace-Id")).isNull();
    }

    @Test
    void urlsKeepSchemeHostPortAndPathOnly() {
        assertThat(HttpUrls.safeUrl(URI.create("https://user:pw@API.example.com:8443/v1/items/7?key=abc#frag")))
                .isEqualTo("https://api.example.com:8443/v1/items/7");
        assertThat(HttpUrls.safeUrl(URI.create("http://[::1]/a%3Fb"))).isEqualTo("http://[::1]/a%3Fb");
        assertThat(HttpUrls.safeUrl(URI.create("http://my_host.internal/")))
                .isEqualTo("http://my_host.internal/");
        assertThat(HttpUrls.host(URI.create("http://u:p@my_host.internal:81/"))).isEqualTo("my_host.internal");
        assertThat(HttpUrls.safeUrl(URI.create("mailto:a@example.com"))).isNull();
        assertThat(HttpUrls.withoutQueries("Server returned 403 for URL: https://u:p@h.example.com/x?sig=1 now"))
                .isEqualTo("Server returned 403 for URL: https://h.example.com/x now");
        assertThat(Optional.ofNullable(HttpUrls.withoutQueries(null))).isEmpty();
    }
}
