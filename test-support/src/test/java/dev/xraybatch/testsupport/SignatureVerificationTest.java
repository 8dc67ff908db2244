package dev.xraybatch.testsupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static dev.xraybatch.testsupport.Documents.newId;
import static dev.xraybatch.testsupport.Documents.newTraceId;
import static dev.xraybatch.testsupport.Documents.segment;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests signed by the SDK's own SigV4 signers and sent by hand, for what the XRayClient never does by itself.
 * The XRayClient 2.48 signs an {@code x-amz-content-sha256} header; the older {@code Aws4Signer} (still used by
 * other clients) hashes the payload into the signature without sending that header. Both must pass.
 */
class SignatureVerificationTest {

    private final LocalXRayEndpoint endpoint = LocalXRayEndpoint.start();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        endpoint.close();
    }

    @Test
    void acceptsASignedContentSha256Header() throws Exception {
        String body = body();
        SdkHttpRequest signed = sign(body, LocalXRayEndpoint.SECRET_ACCESS_KEY);
        assertThat(signed.firstMatchingHeader("Authorization")).hasValueSatisfying(
                authorization -> assertThat(authorization).contains("x-amz-content-sha256"));

        HttpResponse<String> response = send(signed, body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"UnprocessedTraceSegments\":[]}");
        assertThat(endpoint.documentCount()).isEqualTo(1);
        endpoint.assertNoViolations();
    }

    @Test
    void acceptsASignatureWithoutContentSha256Header() throws Exception {
        String body = body();
        SdkHttpRequest signed = signWithoutContentSha256Header(body);
        assertThat(signed.firstMatchingHeader("x-amz-content-sha256")).isEmpty();

        assertThat(send(signed, body).statusCode()).isEqualTo(200);
        assertThat(endpoint.documentCount()).isEqualTo(1);
    }

    @Test
    void refusesABodyChangedAfterSigning() throws Exception {
        String body = body();
        SdkHttpRequest signed = signWithoutContentSha256Header(body);

        HttpResponse<String> response = send(signed, body.replace("job", "jab"));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue("InvalidSignatureException");
        assertThat(Documents.JSON.readTree(response.body()).path("message").asText())
                .contains("signature we calculated does not match");
        assertThat(endpoint.documents()).isEmpty();
    }

    @Test
    void refusesAContentSha256HeaderThatDoesNotMatchTheBody() throws Exception {
        String body = body();
        SdkHttpRequest signed = sign(body, LocalXRayEndpoint.SECRET_ACCESS_KEY);

        HttpResponse<String> response = send(signed, body + " ");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue("InvalidSignatureException");
    }

    @Test
    void refusesAnUnsignedRequestAndAnUnknownAccessKey() throws Exception {
        String body = body();
        HttpRequest unsigned = HttpRequest.newBuilder(URI.create(endpoint.url() + "/TraceSegments"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = http.send(unsigned, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue("MissingAuthenticationTokenException");

        SdkHttpRequest otherKey = sign(body, "AKIDSOMEONEELSE", LocalXRayEndpoint.SECRET_ACCESS_KEY);
        HttpResponse<String> refused = send(otherKey, body);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("x-amzn-ErrorType")).hasValue("UnrecognizedClientException");
        assertThat(endpoint.violations()).hasSize(2);
    }

    private static String body() {
        String document = segment(newTraceId(), newId(), "job").toString();
        return Documents.JSON.createObjectNode()
                .set("TraceSegmentDocuments", Documents.JSON.createArrayNode().add(document)).toString();
    }

    /** The signer the XRayClient uses: it adds and signs x-amz-content-sha256. */
    private SdkHttpRequest sign(String body, String secret) {
        return sign(body, LocalXRayEndpoint.ACCESS_KEY_ID, secret);
    }

    private SdkHttpRequest sign(String body, String accessKeyId, String secret) {
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(accessKeyId, secret))
                .request(request())
                .payload(ContentStreamProvider.fromUtf8String(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "xray")
                .putProperty(AwsV4HttpSigner.REGION_NAME, LocalXRayEndpoint.REGION));
        return signed.request();
    }

    /** The older SigV4 signer: the payload hash is signed but not sent as a header. */
    @SuppressWarnings("deprecation")
    private SdkHttpRequest signWithoutContentSha256Header(String body) {
        SdkHttpFullRequest request = request().toBuilder()
                .contentStreamProvider(ContentStreamProvider.fromUtf8String(body))
                .build();
        return Aws4Signer.create().sign(request, Aws4SignerParams.builder()
                .awsCredentials(AwsBasicCredentials.create(LocalXRayEndpoint.ACCESS_KEY_ID,
                        LocalXRayEndpoint.SECRET_ACCESS_KEY))
                .signingName("xray")
                .signingRegion(Region.of(LocalXRayEndpoint.REGION))
                .build());
    }

    private SdkHttpFullRequest request() {
        return SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(URI.create(endpoint.url() + "/TraceSegments"))
                .putHeader("Content-Type", "application/json")
                .build();
    }

    /** Sends the signed request; java.net.http sets Host and Content-Length itself (the same values). */
    private HttpResponse<String> send(SdkHttpRequest signed, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(signed.getUri())
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (Map.Entry<String, List<String>> header : signed.headers().entrySet()) {
            if (!header.getKey().equalsIgnoreCase("Host") && !header.getKey().equalsIgnoreCase("Content-Length")) {
                header.getValue().forEach(value -> request.header(header.getKey(), value));
            }
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
