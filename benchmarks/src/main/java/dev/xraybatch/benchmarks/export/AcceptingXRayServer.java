package dev.xraybatch.benchmarks.export;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cheapest stand-in for PutTraceSegments: reads each request whole and answers that everything was processed.
 * No signature or document checks (LocalXRayEndpoint does those, at a cost that would be the figure here).
 */
final class AcceptingXRayServer implements AutoCloseable {
    private static final byte[] ALL_PROCESSED = "{\"UnprocessedTraceSegments\":[]}".getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final ExecutorService handlers;
    final LongAdder requests = new LongAdder();
    final LongAdder requestBytes = new LongAdder();

    AcceptingXRayServer() throws IOException {
        // Without TCP_NODELAY the JDK server's small replies meet the client's delayed ACKs: ~40 ms per call.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        handlers = Executors.newFixedThreadPool(2, task -> {
            Thread t = new Thread(task, "accepting-xray-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(handlers);
        server.createContext("/TraceSegments", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        long read = 0;
        byte[] buffer = new byte[16 * 1024];
        try (InputStream body = exchange.getRequestBody()) {
            for (int n; (n = body.read(buffer)) >= 0; ) {
                read += n;
            }
        }
        requests.increment();
        requestBytes.add(read);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, ALL_PROCESSED.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(ALL_PROCESSED);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
