package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.InvalidRequestException;
import software.amazon.awssdk.services.xray.model.PutTraceSegmentsResponse;
import software.amazon.awssdk.services.xray.model.ThrottledException;
import software.amazon.awssdk.services.xray.model.UnprocessedTraceSegment;
import software.amazon.awssdk.services.xray.model.XRayException;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.xraybatch.testsupport.Documents.newId;
import static dev.xraybatch.testsupport.Documents.newTraceId;
import static dev.xraybatch.testsupport.Documents.segment;
import static dev.xraybatch.testsupport.XRayClients.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The endpoint as the real AWS SDK v2 XRayClient sees it. */
class LocalXRayEndpointTest {

    private LocalXRayEndpoint endpoint;
    private XRayClient client;

    @BeforeEach
    void start() {
        endpoint = LocalXRayEndpoint.start();
        client = XRayClients.singleAttempt(endpoint);
    }

    @AfterEach
    void stop() {
        client.close();
        endpoint.close();
    }

    @Test
    void acceptsValidDocumentsSignedByTheSdk() {
        String traceId = newTraceId();
        ObjectNode first = segment(traceId, newId(), "job");
        ObjectNode second = segment(newTraceId(), newId(), "other job");

        PutTraceSegmentsResponse response = put(client, first, second);

        assertThat(response.unprocessedTraceSegments()).isEmpty();
        assertThat(endpoint.documents()).containsExactly(first, second);
        assertThat(endpoint.documents(traceId)).containsExactly(first);
        assertThat(endpoint.traceIds()).containsExactly(traceId, second.get("trace_id").asText());
        assertThat(endpoint.callCount()).isEqualTo(1);
        assertThat(endpoint.documentCount()).isEqualTo(2);
        assertThat(endpoint.calls()).containsExactly(new Call(200, null, 2, 0, false));
        endpoint.assertNoViolations();
    }

    @Test
    void aWrongSecretIsRefusedWith403InvalidSignatureException() {
        try (XRayClient wrongSecret = XRayClients.withSecret(endpoint, "not-the-secret")) {
            assertThatThrownBy(() -> put(wrongSecret, segment(newTraceId(), newId(), "job")))
                    .isInstanceOfSatisfying(XRayException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
                        assertThat(e.awsErrorDetails().errorMessage()).contains("signature we calculated does not match");
                    });
        }
        assertThat(endpoint.documents()).isEmpty();
        assertThat(endpoint.violations()).singleElement()
                .satisfies(v -> assertThat(v.source()).isEqualTo(Violation.Source.CALL))
                .satisfies(v -> assertThat(v.errorCode()).isEqualTo("InvalidSignatureException"));
    }

    @Test
    void anInvalidDocumentIsReturnedAsUnprocessedAndRecordedAsViolation() {
        String traceId = newTraceId();
        ObjectNode valid = segment(traceId, newId(), "job");
        ObjectNode endsBeforeItStarts = segment(traceId, newId(), "broken");
        endsBeforeItStarts.put("end_time", endsBeforeItStarts.get("start_time").asDouble() - 5);

        PutTraceSegmentsResponse response = put(client, valid, endsBeforeItStarts);

        assertThat(response.unprocessedTraceSegments()).singleElement().satisfies(u -> {
            assertThat(u.id()).isEqualTo(endsBeforeItStarts.get("id").asText());
            assertThat(u.errorCode()).isEqualTo("InvalidSegment");
            assertThat(u.message()).contains("end_time").contains("before start_time");
        });
        assertThat(endpoint.documents()).containsExactly(valid);
        assertThat(endpoint.violations()).singleElement().satisfies(v -> {
            assertThat(v.source()).isEqualTo(Violation.Source.PROTOCOL);
            assertThat(v.rejected()).isTrue();
            assertThat(v.id()).isEqualTo(endsBeforeItStarts.get("id").asText());
        });
        assertThatThrownBy(endpoint::assertNoViolations).hasMessageContaining("before start_time");
    }

    @Test
    void aTraceIdOlderThan30DaysIsAnsweredAsInvalidTraceId() {
        ObjectNode old = segment(newTraceId(java.time.Instant.now().minus(Duration.ofDays(31))), newId(), "job");

        PutTraceSegmentsResponse response = put(client, old);

        assertThat(response.unprocessedTraceSegments()).extracting(UnprocessedTraceSegment::errorCode)
                .containsExactly("InvalidTraceId");
        assertThat(endpoint.violations()).extracting(Violation::errorCode).containsExactly("InvalidTraceId");
    }

    @Test
    void moreThan50DocumentsInOneCallIsAnInvalidRequest() {
        String traceId = newTraceId();
        List<String> documents = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            documents.add(segment(traceId, newId(), "job").toString());
        }

        assertThatThrownBy(() -> put(client, documents))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Exceeding maximum segment count: 50");
                });
        assertThat(endpoint.documents()).isEmpty();
        assertThat(put(client, documents.subList(0, 50)).unprocessedTraceSegments()).isEmpty();
        assertThat(endpoint.documentCount()).isEqualTo(50);
    }

    @Test
    void throttleFaultIsTheModeledThrottledException() {
        endpoint.failWith(Fault.THROTTLE);

        assertThatThrownBy(() -> put(client, segment(newTraceId(), newId(), "job")))
                .isInstanceOfSatisfying(ThrottledException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(429);
                    assertThat(e.isThrottlingException()).isTrue();
                });
        assertThat(endpoint.faultedCallCount()).isEqualTo(1);
        assertThat(endpoint.documents()).isEmpty();
    }

    @Test
    void rateExceededFaultIsA400ThrottlingException() {
        endpoint.failWith(Fault.RATE_EXCEEDED);

        assertThatThrownBy(() -> put(client, segment(newTraceId(), newId(), "job")))
                .isInstanceOfSatisfying(XRayException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
                    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Rate exceeded");
                    assertThat(e.isThrottlingException()).isTrue();
                });
    }

    @Test
    void serverFaultsAre500And503() {
        endpoint.failWith(Fault.INTERNAL_ERROR);
        assertThatThrownBy(() -> put(client, segment(newTraceId(), newId(), "job")))
                .isInstanceOfSatisfying(XRayException.class, e -> assertThat(e.statusCode()).isEqualTo(500));

        endpoint.failWith(Fault.SERVICE_UNAVAILABLE);
        assertThatThrownBy(() -> put(client, segment(newTraceId(), newId(), "job")))
                .isInstanceOfSatisfying(XRayException.class, e -> assertThat(e.statusCode()).isEqualTo(503));

        endpoint.stopFailing();
        assertThat(put(client, segment(newTraceId(), newId(), "job")).unprocessedTraceSegments()).isEmpty();
        assertThat(endpoint.awaitCallCount(3, Duration.ofSeconds(30))).hasSize(3);
        assertThat(endpoint.faultedCallCount()).isEqualTo(2);
        assertThat(endpoint.calls()).extracting(Call::status).containsExactly(500, 503, 200);
        endpoint.assertNoViolations();
    }

    @Test
    void theSdkRetriesThroughAFewFaultedCalls() {
        endpoint.failNext(2, Fault.THROTTLE);

        try (XRayClient retrying = XRayClients.withDefaultRetries(endpoint)) {
            assertThat(put(retrying, segment(newTraceId(), newId(), "job")).unprocessedTraceSegments()).isEmpty();
        }
        assertThat(endpoint.calls()).extracting(Call::status).containsExactly(429, 429, 200);
        assertThat(endpoint.documentCount()).isEqualTo(1);
    }

    @Test
    void chosenDocumentsAreRejectedWithTheGivenErrorCode() {
        String traceId = newTraceId();
        ObjectNode kept = segment(traceId, newId(), "kept");
        ObjectNode rejected = segment(traceId, newId(), "rejected");
        endpoint.rejectDocuments(document -> document.path("name").asText().equals("rejected"), "ThrottledException");

        PutTraceSegmentsResponse response = put(client, kept, rejected);

        assertThat(response.unprocessedTraceSegments()).singleElement().satisfies(u -> {
            assertThat(u.id()).isEqualTo(rejected.get("id").asText());
            assertThat(u.errorCode()).isEqualTo("ThrottledException");
        });
        assertThat(endpoint.documents()).containsExactly(kept);
        assertThat(endpoint.injectedRejectionCount()).isEqualTo(1);
        endpoint.assertNoViolations();

        endpoint.stopRejecting();
        assertThat(put(client, rejected).unprocessedTraceSegments()).isEmpty();
    }

    @Test
    void aStalledCallOutlastsTheClientsReadTimeout() {
        endpoint.stallCalls(Duration.ofSeconds(20));

        try (XRayClient impatient = XRayClients.withReadTimeout(endpoint, Duration.ofMillis(300))) {
            assertThatThrownBy(() -> put(impatient, segment(newTraceId(), newId(), "job")))
                    .isInstanceOf(SdkClientException.class)
                    .hasRootCauseInstanceOf(java.net.SocketTimeoutException.class);
        }
        assertThat(endpoint.stalledCallCount()).isEqualTo(1);
        assertThat(endpoint.documents()).isEmpty();
    }

    @Test
    void refusedConnectionsFailToConnectAndTheSamePortAcceptsAgain() {
        int port = endpoint.port();
        endpoint.refuseConnections();

        assertThat(endpoint.isAcceptingConnections()).isFalse();
        assertThatThrownBy(() -> put(client, segment(newTraceId(), newId(), "job")))
                .isInstanceOf(SdkClientException.class)
                .hasRootCauseInstanceOf(ConnectException.class);
        assertThat(endpoint.callCount()).isZero();

        endpoint.acceptConnections();

        assertThat(endpoint.port()).isEqualTo(port);
        assertThat(endpoint.url().getPort()).isEqualTo(port);
        assertThat(put(client, segment(newTraceId(), newId(), "job")).unprocessedTraceSegments()).isEmpty();
        assertThat(endpoint.documentCount()).isEqualTo(1);
    }

    @Test
    void awaitDocumentsReturnsOnceTheConditionHoldsAndFailsWithASummaryOtherwise() throws Exception {
        ObjectNode document = segment(newTraceId(), newId(), "late");
        Thread sender = new Thread(() -> put(client, document));
        sender.start();

        List<JsonNode> documents = endpoint.awaitDocuments(
                all -> all.stream().anyMatch(d -> d.path("name").asText().equals("late")), Duration.ofSeconds(30));
        sender.join();

        assertThat(documents).containsExactly(document);
        assertThatThrownBy(() -> endpoint.awaitDocumentCount(2, Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 accepted document(s)")
                .hasMessageContaining("late");
    }
}
