package dev.xraybatch.agent.export.udp;

import dev.xraybatch.agent.export.DocumentExporter;
import dev.xraybatch.agent.export.SendOutcome;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sends documents to an X-Ray daemon (or an OpenTelemetry collector's awsxray receiver) with the daemon's UDP
 * protocol: one datagram per document, the header line {@code {"format": "json", "version": 1}} then the document.
 *
 * <p>UDP gives no answer: a document counts as sent once the datagram leaves, even if no daemon listens. Only a
 * local send error (no route, buffer exhausted) is retried; the pipeline then resends the whole batch, and X-Ray
 * keeps the last copy of a document with the same id, so a repeat is harmless.
 */
public final class DaemonUdpExporter implements DocumentExporter {
    /** The X-Ray SDK for Java's cap for one datagram, header included. */
    public static final int MAX_DATAGRAM_BYTES = 64512;
    /** Used when neither the settings nor {@code AWS_XRAY_DAEMON_ADDRESS} give an address. */
    public static final String DEFAULT_ADDRESS = "127.0.0.1:2000";

    private static final byte[] HEADER = "{\"format\": \"json\", \"version\": 1}\n".getBytes(StandardCharsets.UTF_8);

    private final String host;
    private final int port;

    // Built at the first send; reused for every datagram so a document costs no allocation beyond its encoding view.
    private DatagramSocket socket;
    private DatagramPacket packet;
    private byte[] buffer;
    private CharsetEncoder encoder;

    public DaemonUdpExporter(String host, int port) {
        if (host == null || host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("not a daemon address: " + host + ":" + port);
        }
        this.host = host;
        this.port = port;
    }

    /**
     * An exporter for a daemon address as {@code AWS_XRAY_DAEMON_ADDRESS} writes it: {@code host:port}, or
     * {@code tcp:host:port udp:host:port} (either order; only the UDP address is used). Throws
     * IllegalArgumentException with a message fit for the user.
     */
    public static DaemonUdpExporter forAddress(String address) {
        InetSocketAddress parsed = parseAddress(address);
        return new DaemonUdpExporter(parsed.getHostString(), parsed.getPort());
    }

    /** Parses a daemon address into an unresolved socket address; see {@link #forAddress}. */
    public static InetSocketAddress parseAddress(String address) {
        String text = address == null ? "" : address.trim();
        String udpPart = text;
        if (text.contains(" ")) {
            udpPart = null;
            for (String part : text.split("\\s+")) {
                String lower = part.toLowerCase(Locale.ROOT);
                if (lower.startsWith("udp:")) {
                    udpPart = part.substring(4);
                } else if (!lower.startsWith("tcp:")) {
                    udpPart = null;
                    break;
                }
            }
        } else if (text.toLowerCase(Locale.ROOT).startsWith("udp:")) {
            udpPart = text.substring(4);
        }
        if (udpPart != null) {
            int colon = udpPart.lastIndexOf(':');
            if (colon > 0 && colon < udpPart.length() - 1) {
                String host = udpPart.substring(0, colon);
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1); // [IPv6]:port
                } else if (host.contains(":")) {
                    host = ""; // "tcp:host:port" alone, or an IPv6 address without brackets
                }
                try {
                    int port = Integer.parseInt(udpPart.substring(colon + 1));
                    if (port >= 1 && port <= 65535 && !host.isEmpty()) {
                        return InetSocketAddress.createUnresolved(host, port);
                    }
                } catch (NumberFormatException ignored) {
                    // Reported below with the accepted forms.
                }
            }
        }
        throw new IllegalArgumentException("daemon address '" + address
                + "' is neither host:port nor 'tcp:host:port udp:host:port'");
    }

    @Override
    public SendOutcome send(List<String> documents) {
        if (socket == null) {
            try {
                open();
            } catch (SocketException e) {
                return SendOutcome.unusable("cannot open a UDP socket (" + e.getMessage() + ")");
            }
        }
        InetSocketAddress target = new InetSocketAddress(host, port);
        if (target.isUnresolved()) {
            // A daemon's host name (a sidecar, a service name) may appear later: retry rather than give up.
            return SendOutcome.retryable("UnknownHost", "cannot resolve the daemon host " + host);
        }
        packet.setSocketAddress(target);
        List<SendOutcome.Unprocessed> tooLarge = null;
        for (int i = 0; i < documents.size(); i++) {
            int length = encode(documents.get(i));
            if (length < 0) {
                if (tooLarge == null) {
                    tooLarge = new ArrayList<SendOutcome.Unprocessed>();
                }
                tooLarge.add(new SendOutcome.Unprocessed(null, "DocumentTooLarge",
                        "a datagram holds at most " + MAX_DATAGRAM_BYTES + " bytes"));
                continue;
            }
            packet.setData(buffer, 0, length);
            try {
                socket.send(packet);
            } catch (IOException e) {
                return SendOutcome.retryable(e.getClass().getSimpleName(), "UDP send to " + host + ":" + port
                        + " failed: " + e.getMessage());
            }
        }
        return tooLarge == null ? SendOutcome.accepted() : SendOutcome.accepted(tooLarge);
    }

    /** Writes header and document into the buffer; returns the datagram's length, or -1 when it does not fit. */
    private int encode(String document) {
        ByteBuffer out = ByteBuffer.wrap(buffer, HEADER.length, buffer.length - HEADER.length);
        encoder.reset();
        CoderResult result = encoder.encode(CharBuffer.wrap(document), out, true);
        if (result.isOverflow()) {
            return -1;
        }
        if (encoder.flush(out).isOverflow()) {
            return -1;
        }
        return out.position();
    }

    private void open() throws SocketException {
        socket = new DatagramSocket();
        buffer = new byte[MAX_DATAGRAM_BYTES];
        System.arraycopy(HEADER, 0, buffer, 0, HEADER.length);
        packet = new DatagramPacket(buffer, 0);
        encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    @Override
    public String describe() {
        return "the X-Ray daemon at udp " + host + ":" + port;
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
    }
}
