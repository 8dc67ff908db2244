package dev.xraybatch.agenttests.outbound;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The requests every HTTP client job makes, in this order, against a {@code RecordingHttpServer}: one of each
 * outcome the trace must tell apart. A job supplies its client as a {@link Client}; each request prints one line
 * {@code outcome <label> <status or exception type>} that the ITs read back.
 *
 * <ol>
 *   <li>{@code ok}: GET /items/7?token=... (the query must never reach a document);</li>
 *   <li>{@code not-found}, {@code throttled}, {@code failed}: GET /status/404, 429, 500;</li>
 *   <li>{@code post}: POST /bytes/64 with a body, 64 bytes back;</li>
 *   <li>{@code own-header}: GET /own with an X-Amzn-Trace-Id of the job's own (must arrive unchanged);</li>
 *   <li>{@code refused}: GET to a closed port on the same host (a fault with the client's exception).</li>
 * </ol>
 */
final class HttpScenario {
    static final String SECRET_QUERY = "token=QueryS3cretValue";
    static final String OWN_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    /** One request through the job's client: the status and body length (negative: unknown) it got back. */
    interface Client {
        long[] send(String method, URI uri, Map<String, String> headers, byte[] body) throws Exception;
    }

    private HttpScenario() {
    }

    static void run(URI base, Client client) throws IOException {
        request(client, "ok", "GET", base.resolve("/items/7?" + SECRET_QUERY), Map.of(), null);
        request(client, "not-found", "GET", base.resolve("/status/404"), Map.of(), null);
        request(client, "throttled", "GET", base.resolve("/status/429"), Map.of(), null);
        request(client, "failed", "GET", base.resolve("/status/500"), Map.of(), null);
        request(client, "post", "POST", base.resolve("/bytes/64"), Map.of("Content-Type", "text/plain"),
                "payload".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Map<String, String> own = new LinkedHashMap<>();
        own.put("X-Amzn-Trace-Id", OWN_HEADER);
        request(client, "own-header", "GET", base.resolve("/own"), own, null);
        request(client, "refused", "GET", URI.create(base.getScheme() + "://" + base.getHost() + ":" + closedPort()
                + "/nothing"), Map.of(), null);
    }

    private static void request(Client client, String label, String method, URI uri, Map<String, String> headers,
                                byte[] body) {
        try {
            long[] answer = client.send(method, uri, headers, body);
            System.out.println("outcome " + label + " " + answer[0] + " " + answer[1]);
        } catch (Exception e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause instanceof java.util.concurrent.ExecutionException) {
                cause = cause.getCause();
            }
            System.out.println("outcome " + label + " " + cause.getClass().getName());
        }
    }

    /** A port nothing listens on: bound once, then released. */
    static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
