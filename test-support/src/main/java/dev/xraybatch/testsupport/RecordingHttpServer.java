package dev.xraybatch.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A local HTTP (or HTTPS) server for the tests of outbound calls: it records each request (method, path, query,
 * headers, body size) so a test can check what arrived (an {@code X-Amzn-Trace-Id} with the right parent), and
 * answers by path:
 * <ul>
 *   <li>{@code /status/<code>}: that status with a short text body (404, 429, 500...);</li>
 *   <li>{@code /slow/<millis>}: 200 after that long;</li>
 *   <li>{@code /bytes/<n>}: 200 with n bytes;</li>
 *   <li>anything else: 200 with the body {@code ok}.</li>
 * </ul>
 * The HTTPS variant serves a self-signed certificate made by the JDK's keytool at start; clients trust it through
 * {@link #clientSslContext()} or, in a child JVM, the {@link #trustStoreProperties()}.
 */
public final class RecordingHttpServer implements AutoCloseable {
    private static final String STORE_PASSWORD = "changeit";

    /** One request as it arrived. Header names are lower case; a header sent twice has two values. */
    public record Request(String method, String path, String query, Map<String, List<String>> headers,
                          long bodyBytes) {
        /** The first value of a header (any case), or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /** All values of a header (any case). */
        public List<String> headers(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? List.of() : values;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Path trustStore;
    private final SSLContext clientContext;

    private RecordingHttpServer(HttpServer server, ExecutorService executor, Path trustStore,
                                SSLContext clientContext) {
        this.server = server;
        this.executor = executor;
        this.trustStore = trustStore;
        this.clientContext = clientContext;
    }

    /** Plain HTTP on a free loopback port. */
    public static RecordingHttpServer http() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        return started(server, null, null);
    }

    /** HTTPS on a free loopback port, with a certificate for localhost and 127.0.0.1 made now. */
    public static RecordingHttpServer https() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("recording-https");
        Path keyStore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.cer");
        Path trustStore = dir.resolve("trust.p12");
        Path keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool");
        keytool(keytool, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool(keytool, "-exportcert", "-alias", "server", "-keystore", keyStore.toString(), "-storepass",
                STORE_PASSWORD, "-file", cert.toString());
        keytool(keytool, "-importcert", "-noprompt", "-alias", "server", "-file", cert.toString(), "-storetype",
                "PKCS12", "-keystore", trustStore.toString(), "-storepass", STORE_PASSWORD);
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                keys.load(in, STORE_PASSWORD.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, STORE_PASSWORD.toCharArray());
            SSLContext serverContext = SSLContext.getInstance("TLS");
            serverContext.init(kmf.getKeyManagers(), null, null);

            KeyStore trusted = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(trustStore)) {
                trusted.load(in, STORE_PASSWORD.toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext clientContext = SSLContext.getInstance("TLS");
            clientContext.init(null, tmf.getTrustManagers(), null);

            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
            return started(server, trustStore, clientContext);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("the test certificate could not be loaded", e);
        }
    }

    private static void keytool(Path keytool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(keytool.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool " + args[0] + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
    }

    private static RecordingHttpServer started(HttpServer server, Path trustStore, SSLContext clientContext) {
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "recording-http-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        RecordingHttpServer recording = new RecordingHttpServer(server, executor, trustStore, clientContext);
        server.createContext("/", recording::handle);
        server.start();
        return recording;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            long bodyBytes;
            try (InputStream in = exchange.getRequestBody()) {
                bodyBytes = in.transferTo(OutputStream.nullOutputStream());
            }
            URI uri = exchange.getRequestURI();
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) ->
                    headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
            requests.add(new Request(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(),
                    Collections.unmodifiableMap(headers), bodyBytes));

            String[] parts = uri.getPath().split("/");
            int status = 200;
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            if (parts.length >= 3 && parts[1].equals("status")) {
                status = Integer.parseInt(parts[2]);
                body = ("status " + status).getBytes(StandardCharsets.UTF_8);
            } else if (parts.length >= 3 && parts[1].equals("slow")) {
                try {
                    Thread.sleep(Long.parseLong(parts[2]));
                } catch (InterruptedException stopping) {
                    Thread.currentThread().interrupt();
                }
            } else if (parts.length >= 3 && parts[1].equals("bytes")) {
                body = new byte[Integer.parseInt(parts[2])];
                java.util.Arrays.fill(body, (byte) 'x');
            }
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            boolean noBody = exchange.getRequestMethod().equals("HEAD") || status == 204 || status == 304;
            exchange.sendResponseHeaders(status, noBody ? -1 : body.length);
            if (!noBody) {
                exchange.getResponseBody().write(body);
            }
        }
    }

    /** {@code http://127.0.0.1:<port>} (or https://localhost:<port>, the certificate's name) plus the path. */
    public URI uri(String pathAndQuery) {
        String host = trustStore == null ? "127.0.0.1" : "localhost";
        String scheme = trustStore == null ? "http" : "https";
        return URI.create(scheme + "://" + host + ":" + server.getAddress().getPort() + pathAndQuery);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** What arrived so far, in order. */
    public List<Request> requests() {
        synchronized (requests) {
            return new ArrayList<>(requests);
        }
    }

    /** Waits until at least {@code count} requests arrived (a client may answer before the server has logged). */
    public List<Request> awaitRequests(int count, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (requests.size() < count && Instant.now().isBefore(deadline)) {
            Thread.sleep(10);
        }
        return requests();
    }

    public void clear() {
        requests.clear();
    }

    /** For clients in this JVM: trusts the server's certificate. Null for plain HTTP. */
    public SSLContext clientSslContext() {
        return clientContext;
    }

    /** For a child JVM's command line: {@code -Djavax.net.ssl.trustStore...} trusting the certificate. */
    public List<String> trustStoreProperties() {
        if (trustStore == null) {
            return List.of();
        }
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword="
                + STORE_PASSWORD, "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        if (trustStore != null) {
            try (var files = Files.walk(trustStore.getParent())) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException leftBehind) {
                // A temp directory.
            }
        }
    }
}
