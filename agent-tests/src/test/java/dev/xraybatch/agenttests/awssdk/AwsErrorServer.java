package dev.xraybatch.agenttests.awssdk;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An S3-speaking endpoint that fails on purpose, by object key: {@code missing} 404 {@code NoSuchKey},
 * {@code throttled} 429, {@code broken} 500, and {@code ok} one byte of data; each answer carries a request id. It counts requests per key (the
 * SDK's attempts) and keeps the trace headers it received.
 */
final class AwsErrorServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService workers = Executors.newFixedThreadPool(8);
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final List<String> traceHeaders = new CopyOnWriteArrayList<>();

    static {
        // Without it, Nagle's algorithm and delayed acknowledgements hold every small answer back ~40 ms. The JDK
        // reads it when the first HttpServer of the JVM starts (often LocalXRayEndpoint's): failsafe sets it too
        // (agent-tests/pom.xml); this covers a run of this class alone from an IDE.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    AwsErrorServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.setExecutor(workers);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** A loopback port nothing listens on. */
    static URI refusingEndpoint() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + probe.getLocalPort());
        }
    }

    int requests(String key) {
        AtomicInteger n = requests.get(key);
        return n == null ? 0 : n.get();
    }

    List<String> traceHeaders() {
        return traceHeaders;
    }

    private void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String key = path.substring(path.lastIndexOf('/') + 1);
        requests.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        String traceHeader = exchange.getRequestHeaders().getFirst("X-Amzn-Trace-Id");
        if (traceHeader != null) {
            traceHeaders.add(traceHeader);
        }
        if (key.equals("ok")) {
            ok(exchange);
            return;
        }
        switch (key) {
            case "missing" -> error(exchange, 404, "NoSuchKey", key);
            case "throttled" -> error(exchange, 429, "TooManyRequests", key);
            default -> error(exchange, 500, "InternalError", key);
        }
    }

    /** One byte of object data, as S3 answers a GetObject. */
    private static void ok(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("x-amz-request-id", "req-ok-" + exchange.hashCode());
        exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, 1);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write('x');
        }
    }

    private static void error(HttpExchange exchange, int status, String code, String key) throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + code
                + " for " + key + "</Message><RequestId>req-" + key + "</RequestId><HostId>host-" + key
                + "</HostId></Error>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/xml");
        exchange.getResponseHeaders().add("x-amz-request-id", "req-" + key);
        exchange.getResponseHeaders().add("x-amz-id-2", "host-" + key);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
