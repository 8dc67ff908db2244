package dev.xraybatch.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * moto_server as the tests' AWS services (S3, DynamoDB, SQS): the one {@code .ci/run} started
 * ({@code MOTO_ENDPOINT}, system property {@code moto.endpoint} or environment), else one started here on a free
 * loopback port (it takes seconds to start). {@link #shared()} gives every test class of a JVM the same server
 * (runs use names of their own), stopped when the JVM exits; {@link #startOrReuse()} gives the caller its own,
 * stopped by {@link #close()}.
 */
public final class MotoServer implements AutoCloseable {
    private static MotoServer shared;

    private final URI endpoint;
    private final Process process;

    private MotoServer(URI endpoint, Process process) {
        this.endpoint = endpoint;
        this.process = process;
    }

    public static synchronized MotoServer shared() throws IOException, InterruptedException {
        if (shared == null) {
            MotoServer server = startOrReuse();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "moto-server-stop"));
            shared = server;
        }
        return shared;
    }

    public static MotoServer startOrReuse() throws IOException, InterruptedException {
        String given = given(System.getProperty("moto.endpoint"));
        if (given == null) {
            given = given(System.getenv("MOTO_ENDPOINT"));
        }
        if (given != null) {
            return new MotoServer(URI.create(given), null);
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path log = Files.createTempFile("moto-server", ".log");
        Process process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        MotoServer server = new MotoServer(URI.create("http://127.0.0.1:" + port), process);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!accepts(port)) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                server.close();
                throw new IllegalStateException("moto_server did not start: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        return server;
    }

    /** Maven passes an unset variable through as the literal {@code ${env.MOTO_ENDPOINT}}. */
    private static String given(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? null : value.trim();
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
        }
    }
}
