package dev.xraybatch.samples;

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
 * moto_server as the jobs' S3: the one {@code .ci/run} started ({@code MOTO_ENDPOINT}, passed on as the system
 * property {@code moto.endpoint}), else one started here on a free loopback port and stopped by {@link #close()}.
 */
final class MotoServer implements AutoCloseable {
    private final URI endpoint;
    private final Process process;

    private MotoServer(URI endpoint, Process process) {
        this.endpoint = endpoint;
        this.process = process;
    }

    static MotoServer startOrReuse() throws IOException, InterruptedException {
        String given = System.getProperty("moto.endpoint");
        // Maven passes an unset variable on as the literal ${env.MOTO_ENDPOINT}.
        if (given != null && !given.isBlank() && !given.startsWith("${")) {
            return new MotoServer(URI.create(given.trim()), null);
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

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
        }
    }
}
