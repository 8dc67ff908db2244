package dev.xraybatch.agent.export.udp;

import dev.xraybatch.agent.export.SendOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DaemonUdpExporterTest {
    private static final String HEADER = "{\"format\": \"json\", \"version\": 1}\n";

    private DatagramSocket daemon;
    private DaemonUdpExporter exporter;

    @BeforeEach
    void listen() throws Exception {
        daemon = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        daemon.setSoTimeout(10_000);
        exporter = DaemonUdpExporter.forAddress("127.0.0.1:" + daemon.getLocalPort());
    }

    @AfterEach
    void close() {
        exporter.close();
        daemon.close();
    }

    private String receive() throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[70_000], 70_000);
        daemon.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void sendsOneDatagramPerDocumentWithTheDaemonHeader() throws Exception {
        List<String> documents = List.of("{\"id\":\"a\",\"name\":\"job\"}", "{\"id\":\"b\",\"name\":\"Überweisung ✓\"}");

        SendOutcome outcome = exporter.send(documents);

        assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.ACCEPTED);
        assertThat(outcome.unprocessed()).isEmpty();
        assertThat(receive()).isEqualTo(HEADER + documents.get(0));
        assertThat(receive()).isEqualTo(HEADER + documents.get(1));
    }

    @Test
    void aDocumentTooLargeForOneDatagramIsRefusedAndTheOthersAreSent() throws Exception {
        String maxBody = "x".repeat(DaemonUdpExporter.MAX_DATAGRAM_BYTES - HEADER.length());
        String tooLarge = maxBody + "y";
        List<String> documents = new ArrayList<>(List.of("{\"id\":\"first\"}", tooLarge, maxBody));

        SendOutcome outcome = exporter.send(documents);

        assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.ACCEPTED);
        assertThat(outcome.unprocessed()).extracting(SendOutcome.Unprocessed::errorCode)
                .containsExactly("DocumentTooLarge");
        assertThat(receive()).isEqualTo(HEADER + "{\"id\":\"first\"}");
        String largest = receive();
        assertThat(largest).hasSize(DaemonUdpExporter.MAX_DATAGRAM_BYTES).isEqualTo(HEADER + maxBody);
    }

    @Test
    void parsesTheAddressFormsOfAwsXrayDaemonAddress() {
        assertThat(DaemonUdpExporter.parseAddress("10.0.0.5:2001"))
                .isEqualTo(InetSocketAddress.createUnresolved("10.0.0.5", 2001));
        assertThat(DaemonUdpExporter.parseAddress("tcp:10.0.0.5:2000 udp:xray-daemon:2002"))
                .isEqualTo(InetSocketAddress.createUnresolved("xray-daemon", 2002));
        assertThat(DaemonUdpExporter.parseAddress("udp:xray-daemon:2002 tcp:10.0.0.5:2000"))
                .isEqualTo(InetSocketAddress.createUnresolved("xray-daemon", 2002));
        assertThat(DaemonUdpExporter.parseAddress("[::1]:2000"))
                .isEqualTo(InetSocketAddress.createUnresolved("::1", 2000));
        for (String bad : new String[] {"", "localhost", "localhost:", ":2000", "host:99999", "host:port",
                "tcp:10.0.0.5:2000", "tcp:a:1 http:b:2"}) {
            assertThatThrownBy(() -> DaemonUdpExporter.parseAddress(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("host:port");
        }
    }

    @Test
    void describesWhereItSends() {
        assertThat(exporter.describe()).isEqualTo("the X-Ray daemon at udp 127.0.0.1:" + daemon.getLocalPort());
    }
}
