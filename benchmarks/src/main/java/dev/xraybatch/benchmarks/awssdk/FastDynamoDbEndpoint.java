package dev.xraybatch.benchmarks.awssdk;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A loopback endpoint that answers every request as DynamoDB answers a GetItem, as fast as a socket can: HTTP/1.1
 * keep-alive, {@code TCP_NODELAY}, headers and body in one write, one thread per connection and no parsing beyond
 * the request's length. The JDK's HttpServer would do, but it writes headers and body separately and reads its
 * no-delay switch once per JVM; this one leaves nothing between the SDK and its answer but loopback TCP.
 */
final class FastDynamoDbEndpoint implements AutoCloseable {
    private static final byte[] BODY = "{\"Item\":{\"id\":{\"S\":\"row-1\"},\"n\":{\"N\":\"42\"}}}"
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] ANSWER = answer();

    private final ServerSocket server;
    private final Thread acceptor;

    FastDynamoDbEndpoint() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "fast-dynamodb-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    private static byte[] answer() {
        String head = "HTTP/1.1 200 OK\r\n"
                + "Content-Type: application/x-amz-json-1.0\r\n"
                + "x-amzn-RequestId: BENCHMARKREQUESTID0000000000000000000000000000000000\r\n"
                + "x-amz-crc32: " + crc32(BODY) + "\r\n"
                + "Content-Length: " + BODY.length + "\r\n"
                + "\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[headBytes.length + BODY.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(BODY, 0, all, headBytes.length, BODY.length);
        return all;
    }

    /** DynamoDB clients check the body against this header. */
    private static long crc32(byte[] body) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(body);
        return crc.getValue();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Thread connection = new Thread(() -> serve(socket), "fast-dynamodb-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Reads requests one after the other (headers, then Content-Length bytes of body) and answers each. */
    private static void serve(Socket socket) {
        try (Socket s = socket;
             InputStream in = new BufferedInputStream(s.getInputStream());
             OutputStream out = s.getOutputStream()) {
            while (true) {
                long contentLength = readHeaders(in);
                if (contentLength < 0) {
                    return;
                }
                for (long skipped = 0; skipped < contentLength; skipped++) {
                    if (in.read() < 0) {
                        return;
                    }
                }
                out.write(ANSWER);
                out.flush();
            }
        } catch (IOException gone) {
            // the client closed the connection
        }
    }

    /** The request's Content-Length (0 if none), or -1 at the end of the stream. */
    private static long readHeaders(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        long contentLength = 0;
        boolean any = false;
        int c;
        while ((c = in.read()) >= 0) {
            any = true;
            if (c == '\n') {
                if (line.length() == 0) {
                    return contentLength;
                }
                String header = line.toString().toLowerCase(Locale.ROOT);
                if (header.startsWith("content-length:")) {
                    contentLength = Long.parseLong(header.substring("content-length:".length()).trim());
                }
                line.setLength(0);
            } else if (c != '\r') {
                line.append((char) c);
            }
        }
        if (any) {
            throw new IOException("request cut short");
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
