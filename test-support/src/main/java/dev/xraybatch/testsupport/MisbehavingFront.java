package dev.xraybatch.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket front for a {@link LocalXRayEndpoint} that answers chosen calls as a broken server or a broken network
 * would, which the endpoint's own HTTP server cannot: a status line cut short, a status that is not final (1xx,
 * 000), bytes that are not HTTP, an answer dripped one byte a second. Every other call is relayed to the endpoint
 * unchanged (its signature stays valid: the front's address is the one the client signed).
 *
 * <pre>{@code
 * try (MisbehavingFront front = MisbehavingFront.before(xray)) {
 *     front.misbehaveNext(2, MisbehavingFront.Answer.CUT_STATUS_LINE);
 *     // point the client at front.url(): its first two calls get "HTTP/1.1 20", the rest reach xray
 * }
 * }</pre>
 */
public final class MisbehavingFront implements AutoCloseable {

    /** What a misbehaving call gets back. */
    public enum Answer {
        /** {@code HTTP/1.1 20} and the connection closed: an answer cut inside its status line. */
        CUT_STATUS_LINE("HTTP/1.1 20"),
        /** A whole answer with status 199, which is not a final status. */
        STATUS_199("HTTP/1.1 199 Unknown\r\nContent-Length: 0\r\n\r\n"),
        /** A whole answer with status 000. */
        STATUS_000("HTTP/1.1 000 \r\nContent-Length: 0\r\n\r\n"),
        /**
         * The request read, then the connection closed without a byte of answer: what a client sees when it sends
         * on a kept-alive connection the server has just closed.
         */
        CLOSE_WITHOUT_ANSWER(""),
        /**
         * Status 000 with no body (which a client may keep alive), the connection left open, and the next request
         * on it read and cut without an answer: a server's close that had not yet reached the client when it
         * sent its next call on that connection.
         */
        STATUS_000_THEN_CUT_NEXT("HTTP/1.1 000 \r\nContent-Length: 0\r\n\r\n"),
        /** Bytes that are not HTTP at all, then the connection closed. */
        GARBAGE("\u0016\u0003\u0001 not http at all\r\n\r\n"),
        /**
         * A plausible 200 answer dripped one byte a second, for as long as the client listens (it never ends: the
         * answer claims more bytes than it sends).
         */
        DRIP_A_BYTE_A_SECOND("HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 100000\r\n\r\n"
                + "{\"UnprocessedTraceSegments\":[");

        final String bytes;

        Answer(String bytes) {
            this.bytes = bytes;
        }
    }

    private final LocalXRayEndpoint upstream;
    private final ServerSocket server;
    private final ExecutorService connections;
    private final Deque<Answer> plan = new ArrayDeque<>();
    private final AtomicInteger misbehaved = new AtomicInteger();
    private final AtomicInteger relayed = new AtomicInteger();
    private final AtomicInteger cutAfterAnswer = new AtomicInteger();
    private volatile boolean closed;

    private MisbehavingFront(LocalXRayEndpoint upstream) {
        this.upstream = upstream;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on 127.0.0.1", e);
        }
        AtomicInteger threads = new AtomicInteger();
        connections = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "misbehaving-front-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        connections.execute(this::acceptLoop);
    }

    /** A front for {@code upstream} on a free port of 127.0.0.1; it relays everything until told otherwise. */
    public static MisbehavingFront before(LocalXRayEndpoint upstream) {
        return new MisbehavingFront(upstream);
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** {@link LocalXRayEndpoint#clientEnvironment()} with the endpoint URL pointing at this front. */
    public Map<String, String> clientEnvironment() {
        Map<String, String> env = new java.util.LinkedHashMap<>(upstream.clientEnvironment());
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getValue().equals(upstream.url().toString())) {
                e.setValue(url().toString());
            }
        }
        return env;
    }

    /** The next {@code calls} PutTraceSegments calls get {@code answer}; later ones are relayed again. */
    public void misbehaveNext(int calls, Answer answer) {
        synchronized (plan) {
            for (int i = 0; i < calls; i++) {
                plan.add(answer);
            }
        }
    }

    /** Calls answered by misbehaving so far. */
    public int misbehavedCount() {
        return misbehaved.get();
    }

    /** Requests cut on a connection kept open after {@link Answer#STATUS_000_THEN_CUT_NEXT}. */
    public int cutAfterAnswerCount() {
        return cutAfterAnswer.get();
    }

    /** Calls relayed to the endpoint so far. */
    public int relayedCount() {
        return relayed.get();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        connections.shutdownNow();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                connections.execute(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    e.printStackTrace();
                }
                return;
            }
        }
    }

    /** One client connection: request after request (keep-alive) until it closes or an answer closes it. */
    private void serve(Socket client) {
        try (client; InputStream in = client.getInputStream(); OutputStream out = client.getOutputStream()) {
            while (!closed) {
                Request request = Request.read(in);
                if (request == null) {
                    return;
                }
                Answer answer = null;
                if (request.path.equals("/TraceSegments")) {
                    synchronized (plan) {
                        answer = plan.poll();
                    }
                }
                if (answer == null) {
                    relayed.incrementAndGet();
                    out.write(relay(request));
                    out.flush();
                    continue;
                }
                misbehaved.incrementAndGet();
                byte[] bytes = answer.bytes.getBytes(StandardCharsets.ISO_8859_1);
                if (answer == Answer.DRIP_A_BYTE_A_SECOND) {
                    for (int i = 0; !closed; i++) {
                        out.write(bytes[i % bytes.length]);
                        out.flush();
                        Thread.sleep(1000);
                    }
                }
                out.write(bytes);
                out.flush();
                if (answer == Answer.STATUS_000_THEN_CUT_NEXT && Request.read(in) != null) {
                    cutAfterAnswer.incrementAndGet();
                }
                return; // the connection ends with a misbehaving answer
            }
        } catch (IOException e) {
            // The client went away (it gave up on a dripping answer): nothing to do.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends the request to the endpoint on a connection of its own and returns its whole answer. */
    private byte[] relay(Request request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), upstream.port());
             InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            out.write(request.raw);
            out.flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            String head = readHead(in, answer);
            if (head == null) {
                throw new IOException("the endpoint closed the connection without answering");
            }
            int length = contentLength(head);
            byte[] body = in.readNBytes(Math.max(0, length));
            answer.write(body);
            return answer.toByteArray();
        }
    }

    /** Reads the status line and headers (through the empty line) into {@code into}; null at end of stream. */
    private static String readHead(InputStream in, ByteArrayOutputStream into) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            last4 = (last4 << 8) | b;
            if (last4 == 0x0d0a0d0a) {
                byte[] bytes = head.toByteArray();
                into.write(bytes);
                return new String(bytes, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                return Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        return 0;
    }

    /** One request as it came: its path, and its bytes to relay. */
    private record Request(String path, byte[] raw) {
        static Request read(InputStream in) throws IOException {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            String head = readHead(in, raw);
            if (head == null) {
                return null;
            }
            String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
            raw.write(in.readNBytes(contentLength(head)));
            return new Request(requestLine.length > 1 ? requestLine[1] : "", raw.toByteArray());
        }
    }
}
