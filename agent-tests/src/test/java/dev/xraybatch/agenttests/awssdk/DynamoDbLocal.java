package dev.xraybatch.agenttests.awssdk;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;

/**
 * AWS's DynamoDB Local (laid out by agent-tests/pom.xml in {@code dynamodb.local.dir}) in a JVM of its own, without
 * the agent, in memory, on a free loopback port. {@code -disableTelemetry}: otherwise it calls Cognito itself.
 */
final class DynamoDbLocal implements AutoCloseable {
    private final Process process;
    private final URI endpoint;

    DynamoDbLocal() throws IOException, InterruptedException {
        Path dir = Paths.get(System.getProperty("dynamodb.local.dir"));
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("DynamoDB Local is not laid out in " + dir + " (agent-tests/pom.xml)");
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path log = Files.createTempFile("dynamodb-local", ".log");
        process = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Dsqlite4java.library.path=" + dir, "-cp", dir + "/*",
                "com.amazonaws.services.dynamodbv2.local.main.ServerRunner",
                "-inMemory", "-disableTelemetry", "-port", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        endpoint = URI.create("http://127.0.0.1:" + port);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!accepts(port)) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                close();
                throw new IllegalStateException("DynamoDB Local did not start: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
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
        process.destroy();
    }
}
