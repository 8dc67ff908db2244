package dev.xraybatch.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordingHttpServerTest {
    @Test
    void recordsMethodPathQueryAndHeadersAndAnswersTheStatusAsked() throws Exception {
        try (RecordingHttpServer server = RecordingHttpServer.http()) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(server.uri("/orders/7?page=2"))
                    .header("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
                    .build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> throttled = client.send(HttpRequest.newBuilder(server.uri("/status/429"))
                    .POST(HttpRequest.BodyPublishers.ofString("abc")).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> failed = client.send(HttpRequest.newBuilder(server.uri("/status/500")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> bytes = client.send(HttpRequest.newBuilder(server.uri("/bytes/1234")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("ok");
            assertThat(throttled.statusCode()).isEqualTo(429);
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(bytes.body()).hasSize(1234);
            List<RecordingHttpServer.Request> requests = server.awaitRequests(4, Duration.ofSeconds(5));
            assertThat(requests).extracting(RecordingHttpServer.Request::path)
                    .containsExactly("/orders/7", "/status/429", "/status/500", "/bytes/1234");
            assertThat(requests.get(0).query()).isEqualTo("page=2");
            assertThat(requests.get(0).header("x-amzn-trace-id")).startsWith("Root=1-5759e988-");
            assertThat(requests.get(1).method()).isEqualTo("POST");
            assertThat(requests.get(1).bodyBytes()).isEqualTo(3);
            assertThat(requests.get(2).header("X-Amzn-Trace-Id")).isNull();
        }
    }

    @Test
    void theHttpsVariantServesACertificateItsClientContextTrusts() throws Exception {
        try (RecordingHttpServer server = RecordingHttpServer.https()) {
            HttpClient client = HttpClient.newBuilder().sslContext(server.clientSslContext()).build();
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(server.uri("/status/404")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(server.uri("/").getScheme()).isEqualTo("https");
            assertThat(answer.statusCode()).isEqualTo(404);
            assertThat(server.requests()).singleElement().extracting(RecordingHttpServer.Request::path)
                    .isEqualTo("/status/404");
            assertThat(server.trustStoreProperties()).anyMatch(p -> p.startsWith("-Djavax.net.ssl.trustStore="));
        }
    }

    @Test
    void aSlowPathAnswersAfterTheTimeAsked() throws Exception {
        try (RecordingHttpServer server = RecordingHttpServer.http()) {
            HttpClient client = HttpClient.newHttpClient();
            long start = System.nanoTime();
            HttpResponse<String> slow = client.send(HttpRequest.newBuilder(server.uri("/slow/300")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(slow.statusCode()).isEqualTo(200);
            // A lower bound only: the server waited at least as asked.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
    }
}
