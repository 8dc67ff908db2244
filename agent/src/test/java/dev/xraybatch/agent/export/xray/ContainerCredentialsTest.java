package dev.xraybatch.agent.export.xray;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * When container credentials are fetched again, driven by a test clock against a local credentials endpoint that
 * hands out numbered session tokens, each valid for ten minutes from a fixed instant.
 */
class ContainerCredentialsTest {
    private static final Instant ISSUED = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration VALID_FOR = Duration.ofMinutes(10);

    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicBoolean failing = new AtomicBoolean();
    private final AtomicLong now = new AtomicLong(ISSUED.toEpochMilli());
    private HttpServer server;
    private ContainerCredentials credentials;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                requests.incrementAndGet();
                String body = failing.get() ? "{\"message\":\"unavailable\"}"
                        : "{\"AccessKeyId\":\"AKIDCONTAINER\",\"SecretAccessKey\":\"secret\",\"Token\":\"token-"
                                + fetches.incrementAndGet() + "\",\"Expiration\":\"" + ISSUED.plus(VALID_FOR)
                                .plus(Duration.ofMinutes(10L * (fetches.get() - 1))) + "\"}";
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(failing.get() ? 503 : 200, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        });
        server.start();
        Map<String, String> env = new HashMap<>();
        env.put(ContainerCredentials.FULL_URI, "http://127.0.0.1:" + server.getAddress().getPort() + "/creds");
        credentials = ContainerCredentials.fromEnvironment(env, 2000, 2000, now::get);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void at(Duration sinceIssued) {
        now.set(ISSUED.plus(sinceIssued).toEpochMilli());
    }

    @Test
    void credentialsAreReusedUntilTheRefreshWindowThenFetchedAgain() throws Exception {
        AwsCredentials first = credentials.credentials();
        at(Duration.ofMinutes(4));
        AwsCredentials stillFirst = credentials.credentials();
        at(Duration.ofMinutes(6)); // 4 minutes before expiry: inside the 5-minute window
        AwsCredentials second = credentials.credentials();

        assertThat(first.sessionToken()).isEqualTo("token-1");
        assertThat(first.expiresAtMillis()).isEqualTo(ISSUED.plus(VALID_FOR).toEpochMilli());
        assertThat(stillFirst).isSameAs(first);
        assertThat(second.sessionToken()).isEqualTo("token-2");
        assertThat(fetches.get()).isEqualTo(2);
        assertThat(second.toString()).doesNotContain("AKIDCONTAINER").doesNotContain("secret");
    }

    @Test
    void whileARefreshFailsTheOldCredentialsServeUntilTheyAreAboutToExpire() throws Exception {
        AwsCredentials first = credentials.credentials();
        failing.set(true);
        at(Duration.ofMinutes(6));
        AwsCredentials duringOutage = credentials.credentials();
        at(Duration.ofMinutes(6).plusSeconds(10)); // the endpoint is not asked again this soon
        AwsCredentials soonAfter = credentials.credentials();
        at(Duration.ofMinutes(9).plusSeconds(30)); // under a minute left: no longer used

        assertThat(duringOutage).isSameAs(first);
        assertThat(soonAfter).isSameAs(first);
        assertThatThrownBy(credentials::credentials).isInstanceOf(CredentialsException.class)
                .hasMessageContaining("HTTP 503").hasMessageNotContaining("/creds");
        assertThat(fetches.get()).isEqualTo(1);
        assertThat(requests.get()).as("first fetch, failed refresh at 6:00, then at 9:30").isEqualTo(3);
    }
}
