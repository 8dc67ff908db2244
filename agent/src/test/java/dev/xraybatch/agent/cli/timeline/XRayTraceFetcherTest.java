package dev.xraybatch.agent.cli.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xraybatch.agent.json.JsonReader;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.SimulatedClock;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.xray.XRayClient;

/** BatchGetTraces through the real SDK client against a local HTTP server that answers as X-Ray does. */
class XRayTraceFetcherTest {
    private HttpServer server;
    private final List<String> requestBodies = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    private URI endpoint;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/Traces", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            requestBodies.add(exchange.getRequestMethod() + " " + body);
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            // Two pages, as X-Ray returns a large trace: the segment first, its subsegment on the next page.
            boolean firstPage = !body.contains("NextToken");
            String document = firstPage
                    ? Docs.segment("job", "a000000000000001", 0, 2).json()
                    : Docs.subsegment("step <1>", "b000000000000001", "a000000000000001", 1, 1.5).json();
            StringBuilder reply = new StringBuilder("{\"Traces\":[{\"Id\":\"" + Docs.TRACE
                    + "\",\"Duration\":2.0,\"Segments\":[{\"Id\":\"x\",\"Document\":");
            ScriptJson.write(document, reply);
            reply.append("}]}],\"UnprocessedTraceIds\":[]").append(firstPage ? ",\"NextToken\":\"page-2\"" : "")
                    .append('}');
            byte[] bytes = reply.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void fetchesEveryPageOfTheTracesDocumentsWithASignedRequest() {
        List<String> documents = XRayTraceFetcher.fetch(Docs.TRACE, "eu-west-1", endpoint,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")));

        assertThat(documents).hasSize(2);
        assertThat(((Map<?, ?>) JsonReader.parse(documents.get(1))).get("name")).isEqualTo("step <1>");
        assertThat(requestBodies).hasSize(2);
        assertThat(requestBodies.get(0)).startsWith("POST ").contains("\"TraceIds\":[\"" + Docs.TRACE + "\"]");
        assertThat(requestBodies.get(1)).contains("\"NextToken\":\"page-2\"");
        assertThat(authorizations).allMatch(a -> a.startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                && a.contains("/eu-west-1/xray/aws4_request"));
    }

    @Test
    void theCommandShowsAFetchedTraceLikeAFileOne() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // The command uses the default credential chain; system properties are its first source.
        String[] keys = {"aws.accessKeyId", "aws.secretAccessKey"};
        try {
            System.setProperty(keys[0], "AKIDEXAMPLE");
            System.setProperty(keys[1], "secret");
            int exit = TimelineCommand.run(new String[] {"--trace-id", Docs.TRACE, "--region", "eu-west-1",
                "--endpoint", endpoint.toString()}, new PrintStream(out, true, "UTF-8"),
                    new PrintStream(err, true, "UTF-8"), Map.of(), false, true);

            assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        } finally {
            for (String key : keys) {
                System.clearProperty(key);
            }
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Trace " + Docs.TRACE)
                .contains("job", "└─ step <1>", "+1.00 s", "500 ms");
    }

    @Test
    void theCommandSaysWhenXRayHasNoSuchTrace() throws Exception {
        server.removeContext("/Traces");
        server.createContext("/Traces", exchange -> {
            byte[] bytes = ("{\"Traces\":[],\"UnprocessedTraceIds\":[\"" + Docs.TRACE + "\"]}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
            System.setProperty("aws.secretAccessKey", "secret");
            int exit = TimelineCommand.run(new String[] {"--trace-id", Docs.TRACE, "--region", "eu-west-1",
                "--endpoint", endpoint.toString()}, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, "UTF-8"), Map.of(), false, true);
            assertThat(exit).isEqualTo(1);
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("X-Ray returned no segments for trace "
                + Docs.TRACE + " in eu-west-1");
    }

    @Test
    void theCommandShowsATraceReadBackFromTheLocalEndpoint() throws Exception {
        // The endpoint's clock stands just after the test trace id's epoch, so that 2024 id is not too old.
        long traceEpoch = Long.parseLong(Docs.TRACE.substring(2, 10), 16);
        SimulatedClock clock = SimulatedClock.manual(Instant.ofEpochSecond(traceEpoch + 10));
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(
                LocalXRayEndpoint.ACCESS_KEY_ID, LocalXRayEndpoint.SECRET_ACCESS_KEY));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (LocalXRayEndpoint xray = LocalXRayEndpoint.builder().clock(clock).start();
             XRayClient sender = XRayClient.builder().endpointOverride(xray.url())
                     .region(Region.of(LocalXRayEndpoint.REGION)).credentialsProvider(credentials)
                     .httpClient(UrlConnectionHttpClient.create()).build()) {
            sender.putTraceSegments(r -> r.traceSegmentDocuments(
                    Docs.segment("job", "a000000000000001", 0, 2).inProgress().json(),
                    Docs.subsegment("step <1>", "b000000000000001", "a000000000000001", 1, 1.5).json()));
            sender.putTraceSegments(r -> r.traceSegmentDocuments(Docs.segment("job", "a000000000000001", 0, 2).json()));
            xray.assertNoViolations();

            // X-Ray answers the subsegment inside its segment's document, whichever way it was sent.
            List<String> documents = XRayTraceFetcher.fetch(Docs.TRACE, LocalXRayEndpoint.REGION, xray.url(), credentials);
            assertThat(documents).singleElement().asString().contains("\"subsegments\"", "step <1>");

            System.setProperty("aws.accessKeyId", LocalXRayEndpoint.ACCESS_KEY_ID);
            System.setProperty("aws.secretAccessKey", LocalXRayEndpoint.SECRET_ACCESS_KEY);
            int exit = TimelineCommand.run(new String[] {"--trace-id", Docs.TRACE, "--region", LocalXRayEndpoint.REGION,
                "--endpoint", xray.url().toString()}, new PrintStream(out, true, "UTF-8"),
                    new PrintStream(err, true, "UTF-8"), Map.of(), false, true);
            assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Trace " + Docs.TRACE)
                .contains("job", "└─ step <1>", "+1.00 s", "500 ms");
    }
}
