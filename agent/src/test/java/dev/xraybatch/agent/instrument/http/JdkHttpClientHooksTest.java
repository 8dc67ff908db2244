package dev.xraybatch.agent.instrument.http;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The copy of an immutable {@code java.net.http} request that carries the trace header: everything else as the
 * job made it, both with Java 16's copying builder and step by step (Java 11 to 15, which the ITs' JDKs never take).
 */
class JdkHttpClientHooksTest {
    private static final HttpRequest ORIGINAL = HttpRequest.newBuilder(URI.create("http://127.0.0.1:9/put?q=1"))
            .method("PUT", HttpRequest.BodyPublishers.ofString("twelve bytes"))
            .header("Content-Type", "text/plain")
            .header("X-Many", "one").header("X-Many", "two")
            .timeout(Duration.ofSeconds(7))
            .version(HttpClient.Version.HTTP_1_1)
            .expectContinue(true)
            .build();

    private final JdkHttpClientHooks.Api api = JdkHttpClientHooks.Api.of(HttpRequest.class.getClassLoader());

    @Test
    void theCopyWithTheHeaderKeepsEverythingElse() {
        checkCopy((HttpRequest) api.withHeader(ORIGINAL, "X-Amzn-Trace-Id", "Root=1-2-3;Parent=4;Sampled=1"));
    }

    @Test
    void theStepByStepCopyOfJava11To15KeepsEverythingToo() throws Exception {
        HttpRequest.Builder copy = (HttpRequest.Builder) api.copiedBySteps(ORIGINAL);
        checkCopy(copy.setHeader("X-Amzn-Trace-Id", "Root=1-2-3;Parent=4;Sampled=1").build());
    }

    private static void checkCopy(HttpRequest copy) {
        assertThat(copy).isNotNull().isNotSameAs(ORIGINAL);
        assertThat(copy.headers().firstValue("x-amzn-trace-id")).contains("Root=1-2-3;Parent=4;Sampled=1");
        assertThat(copy.uri()).isEqualTo(ORIGINAL.uri());
        assertThat(copy.method()).isEqualTo("PUT");
        assertThat(copy.headers().allValues("X-Many")).containsExactly("one", "two");
        assertThat(copy.headers().firstValue("content-type")).contains("text/plain");
        assertThat(copy.bodyPublisher().map(HttpRequest.BodyPublisher::contentLength)).contains(12L);
        assertThat(copy.timeout()).isEqualTo(Optional.of(Duration.ofSeconds(7)));
        assertThat(copy.version()).contains(HttpClient.Version.HTTP_1_1);
        assertThat(copy.expectContinue()).isTrue();
        assertThat(ORIGINAL.headers().firstValue("X-Amzn-Trace-Id")).isEmpty();
    }
}
