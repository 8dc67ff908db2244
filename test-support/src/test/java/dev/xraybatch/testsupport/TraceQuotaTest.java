package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.PutTraceSegmentsResponse;
import software.amazon.awssdk.services.xray.model.UnprocessedTraceSegment;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.xraybatch.testsupport.Documents.newId;
import static dev.xraybatch.testsupport.Documents.newTraceId;
import static dev.xraybatch.testsupport.Documents.ofSize;
import static dev.xraybatch.testsupport.Documents.segment;
import static dev.xraybatch.testsupport.XRayClients.put;
import static org.assertj.core.api.Assertions.assertThat;

/** The per-trace quota of {@link TraceQuota}, rule by rule and at each boundary, through the real SDK on a manual clock. */
class TraceQuotaTest {

    private static final Instant START = Instant.parse("2026-03-02T08:00:00Z");

    private final SimulatedClock clock = SimulatedClock.manual(START);
    private final LocalXRayEndpoint endpoint = LocalXRayEndpoint.builder().traceQuota(true).clock(clock).start();
    private final XRayClient client = XRayClients.singleAttempt(endpoint);

    @AfterEach
    void stop() {
        client.close();
        endpoint.close();
    }

    @Test
    void aTraceSentTogetherTakes500000BytesAndNotOneMore() {
        String full = newTraceId(clock.now());
        String over = newTraceId(clock.now());
        List<ObjectNode> fullCall = documents(full, 62_500, 62_500, 62_500, 62_500, 62_500, 62_500, 62_500, 62_500);
        List<ObjectNode> overCall = documents(over, 62_500, 62_500, 62_500, 62_500, 62_500, 62_500, 62_500, 62_501);

        assertThat(putAll(fullCall).unprocessedTraceSegments()).isEmpty();
        PutTraceSegmentsResponse response = putAll(overCall);

        assertThat(endpoint.bytesAccepted(full)).isEqualTo(TraceQuota.SENT_TOGETHER_LIMIT_BYTES).isEqualTo(500_000);
        assertThat(endpoint.isLimitExceeded(full)).isFalse();
        assertThat(response.unprocessedTraceSegments()).singleElement().satisfies(refused -> {
            assertThat(refused.id()).isEqualTo(overCall.get(7).get("id").asText());
            assertThat(refused.errorCode()).isEqualTo("InvalidSegment");
            assertThat(refused.message()).contains(TraceQuota.LIMIT_EXCEEDED_MESSAGE)
                    .contains("500001 bytes, over its limit of 500000");
        });
        assertThat(endpoint.bytesAccepted(over)).isEqualTo(7 * 62_500);
        assertThat(endpoint.isLimitExceeded(over)).isTrue();
        assertThat(endpoint.quotaUsage(over)).satisfies(usage -> {
            assertThat(usage.bursts()).isEqualTo(1);
            assertThat(usage.limitBytes()).isEqualTo(500_000);
            assertThat(usage.acceptedDocuments()).isEqualTo(7);
            assertThat(usage.refusedDocuments()).isEqualTo(1);
        });
        endpoint.assertNoViolations();
    }

    @Test
    void aClosedTraceRefusesEvenASmallDocumentAndKeepsWhatItAccepted() {
        String closed = newTraceId(clock.now());
        String other = newTraceId(clock.now());
        List<ObjectNode> accepted = documents(closed, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000);
        putAll(accepted);
        putAll(documents(closed, 60_000)); // 540,000: closes the trace
        clock.advance(Duration.ofSeconds(1));

        ObjectNode small = segment(closed, newId(), "small", clock.now());
        ObjectNode otherTrace = segment(other, newId(), "other", clock.now());
        PutTraceSegmentsResponse response = put(client, small, otherTrace);

        assertThat(response.unprocessedTraceSegments()).singleElement().satisfies(refused -> {
            assertThat(refused.id()).isEqualTo(small.get("id").asText());
            assertThat(refused.errorCode()).isEqualTo("InvalidSegment");
            assertThat(refused.message()).contains(TraceQuota.LIMIT_EXCEEDED_MESSAGE).contains("closed earlier");
        });
        assertThat(endpoint.documents(closed)).containsExactlyElementsOf(accepted);
        assertThat(endpoint.trace(closed).roots()).hasSize(8);
        assertThat(endpoint.documents(other)).containsExactly(otherTrace);
        assertThat(endpoint.isLimitExceeded(closed)).isTrue();
        assertThat(endpoint.isLimitExceeded(other)).isFalse();
        assertThat(endpoint.limitExceededTraceIds()).containsExactly(closed);
        assertThat(endpoint.quotaRefusedCount(closed)).isEqualTo(2);
        assertThat(endpoint.quotaRefusedCount()).isEqualTo(2);
        assertThat(endpoint.quotaRefusals()).extracting(TraceQuota.Refusal::traceId).containsOnly(closed);
        assertThat(endpoint.calls()).extracting(Call::unprocessed).containsExactly(0, 1, 1);
        // X-Ray's answer, not a mistake of the client.
        assertThat(endpoint.violations()).isEmpty();
    }

    @Test
    void threeBurstsAreSentTogetherAFourthMakesTheTraceTrickle() {
        String traceId = newTraceId(clock.now());
        putAll(documents(traceId, 50_000, 50_000, 50_000));
        for (int burst = 2; burst <= 3; burst++) {
            clock.advance(Duration.ofSeconds(11));
            assertThat(putAll(documents(traceId, 1_000)).unprocessedTraceSegments()).isEmpty();
        }
        assertThat(endpoint.bursts(traceId)).isEqualTo(3);
        assertThat(endpoint.quotaUsage(traceId).limitBytes()).isEqualTo(TraceQuota.SENT_TOGETHER_LIMIT_BYTES);
        assertThat(endpoint.quotaUsage(traceId).trickles()).isFalse();

        clock.advance(Duration.ofSeconds(11));
        List<UnprocessedTraceSegment> refused = putAll(documents(traceId, 1_000)).unprocessedTraceSegments();

        assertThat(endpoint.bursts(traceId)).isEqualTo(4);
        assertThat(refused).singleElement().satisfies(r -> assertThat(r.message())
                .contains("152000 bytes accepted in 4 burst(s)").contains("over its limit of 100000"));
        assertThat(endpoint.quotaUsage(traceId).limitBytes()).isEqualTo(TraceQuota.TRICKLE_LIMIT_BYTES);
        assertThat(endpoint.isLimitExceeded(traceId)).isTrue();
        assertThat(endpoint.bytesAccepted(traceId)).isEqualTo(152_000);
    }

    @Test
    void aTricklingTraceUnderItsLimitKeepsGoing() {
        String traceId = newTraceId(clock.now());
        for (int burst = 1; burst <= 6; burst++) {
            assertThat(putAll(documents(traceId, 2_000)).unprocessedTraceSegments()).isEmpty();
            clock.advance(Duration.ofSeconds(30));
        }

        assertThat(endpoint.bursts(traceId)).isEqualTo(6);
        assertThat(endpoint.quotaUsage(traceId).trickles()).isTrue();
        assertThat(endpoint.quotaUsage(traceId).limitBytes()).isEqualTo(100_000);
        assertThat(endpoint.isLimitExceeded(traceId)).isFalse();
        assertThat(endpoint.documents(traceId)).hasSize(6);
    }

    @Test
    void callsAtMostTenSecondsApartAreOneBurst() {
        String traceId = newTraceId(clock.now());
        putAll(documents(traceId, 500));
        for (Duration gap : List.of(Duration.ofMillis(9_900), Duration.ofSeconds(10), Duration.ofMillis(9_900))) {
            clock.advance(gap);
            putAll(documents(traceId, 500));
        }
        assertThat(endpoint.bursts(traceId)).isEqualTo(1);

        clock.advance(Duration.ofMillis(10_100));
        putAll(documents(traceId, 500));

        assertThat(endpoint.bursts(traceId)).isEqualTo(2);
        assertThat(endpoint.quotaUsage(traceId).lastCall()).isEqualTo(START.plusMillis(9_900 + 10_000 + 9_900 + 10_100));
    }

    @Test
    void aCallCountsOnceForEachTraceItCarries() {
        String first = newTraceId(clock.now());
        String second = newTraceId(clock.now());
        List<ObjectNode> mixed = new ArrayList<>(documents(first, 500, 500));
        mixed.addAll(documents(second, 500));
        for (int call = 0; call < 3; call++) {
            put(client, mixed.stream().map(d -> d.deepCopy().put("id", newId())).toList().toArray(ObjectNode[]::new));
            clock.advance(Duration.ofSeconds(20));
        }

        assertThat(endpoint.bursts(first)).isEqualTo(3);
        assertThat(endpoint.bursts(second)).isEqualTo(3);
        assertThat(endpoint.quotaUsage(first).acceptedDocuments()).isEqualTo(6);
    }

    @Test
    void aTricklingTraceOlderThanSixMinutesIsHeldTo14000Bytes() {
        String young = newTraceId(clock.now());
        String old = newTraceId(clock.now());
        for (int burst = 1; burst <= 4; burst++) {
            List<ObjectNode> call = new ArrayList<>(documents(young, 3_250));
            call.addAll(documents(old, 3_250));
            assertThat(putAll(call).unprocessedTraceSegments()).isEmpty();
            clock.advance(Duration.ofSeconds(11));
        }
        assertThat(endpoint.bytesAccepted(young)).isEqualTo(13_000);

        clock.set(START.plus(Duration.ofMinutes(5).plusSeconds(59)));
        assertThat(putAll(documents(young, 2_000)).unprocessedTraceSegments()).isEmpty();
        assertThat(endpoint.quotaUsage(young).limitBytes()).isEqualTo(TraceQuota.TRICKLE_LIMIT_BYTES);

        clock.set(START.plus(Duration.ofMinutes(6).plusSeconds(1)));
        List<UnprocessedTraceSegment> refused = putAll(documents(old, 2_000)).unprocessedTraceSegments();

        assertThat(refused).singleElement().satisfies(r -> assertThat(r.message())
                .contains("over 361 s").contains("15000 bytes, over its limit of 14000"));
        assertThat(endpoint.quotaUsage(old).limitBytes()).isEqualTo(TraceQuota.LONG_TRICKLE_LIMIT_BYTES);
        assertThat(endpoint.quotaUsage(old).age()).isEqualTo(Duration.ofSeconds(361));
        assertThat(endpoint.bytesAccepted(old)).isEqualTo(13_000);
        // The young trace is now as old, and already over 14,000: its next document closes it.
        assertThat(endpoint.bytesAccepted(young)).isEqualTo(15_000);
        assertThat(putAll(documents(young, 300)).unprocessedTraceSegments()).hasSize(1);
        assertThat(endpoint.isLimitExceeded(young)).isTrue();
    }

    @Test
    void everyVersionOfAReSentDocumentCountsAgain() {
        String traceId = newTraceId(clock.now());
        for (int burst = 1; burst <= 3; burst++) {
            putAll(documents(traceId, 1_000));
            clock.advance(Duration.ofSeconds(11));
        }
        String rootId = newId();
        ObjectNode inProgress = segment(traceId, rootId, "job", clock.now());
        inProgress.remove("end_time");
        inProgress.put("in_progress", true);
        assertThat(put(client, ofSize(inProgress, 48_000)).unprocessedTraceSegments()).isEmpty();
        assertThat(endpoint.bytesAccepted(traceId)).isEqualTo(51_000);
        clock.advance(Duration.ofSeconds(11));

        // Alone the complete version would fit (3,000 + 49,001); counted with the in-progress one it does not.
        ObjectNode complete = ofSize(segment(traceId, rootId, "job", clock.now()), 49_001);
        List<UnprocessedTraceSegment> refused = put(client, complete).unprocessedTraceSegments();

        assertThat(refused).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(rootId);
            assertThat(r.message()).contains("100001 bytes, over its limit of 100000");
        });
        assertThat(endpoint.trace(traceId).nodeById(rootId).isInProgress()).isTrue();
    }

    @Test
    void bothVersionsOfAnAcceptedDocumentAreCounted() {
        String traceId = newTraceId(clock.now());
        String rootId = newId();
        ObjectNode inProgress = segment(traceId, rootId, "job", clock.now());
        inProgress.remove("end_time");
        inProgress.put("in_progress", true);
        put(client, ofSize(inProgress, 30_000));
        clock.advance(Duration.ofMinutes(1));
        put(client, ofSize(segment(traceId, rootId, "job", clock.now()), 30_001));

        assertThat(endpoint.bytesAccepted(traceId)).isEqualTo(60_001);
        assertThat(endpoint.quotaUsage(traceId).acceptedDocuments()).isEqualTo(2);
        assertThat(endpoint.trace(traceId).root().isInProgress()).isFalse();
    }

    @Test
    void documentTimesAreJudgedByTheEndpointsClock() {
        // The endpoint's clock is 40 days behind real time: a trace id of its "now" is fine, a real one is not.
        clock.set(Instant.now().minus(Duration.ofDays(40)));
        ObjectNode simulated = segment(newTraceId(clock.now()), newId(), "job", clock.now());
        ObjectNode real = segment(newTraceId(Instant.now()), newId(), "job");

        PutTraceSegmentsResponse response = put(client, simulated, real);

        assertThat(response.unprocessedTraceSegments()).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(real.get("id").asText());
            assertThat(r.errorCode()).isEqualTo("InvalidTraceId");
            assertThat(r.message()).contains("in the future");
        });
        assertThat(endpoint.documents()).containsExactly(simulated);

        clock.advance(Duration.ofDays(31));
        ObjectNode late = segment(simulated.get("trace_id").asText(), newId(), "late", clock.now());
        assertThat(put(client, late).unprocessedTraceSegments()).singleElement()
                .satisfies(r -> assertThat(r.message()).contains("older than 30 days"));
    }

    @Test
    void clearForgetsTheQuotasBookkeeping() {
        String traceId = newTraceId(clock.now());
        putAll(documents(traceId, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000));
        assertThat(endpoint.isLimitExceeded(traceId)).isTrue();

        endpoint.clear();

        assertThat(endpoint.isLimitExceeded(traceId)).isFalse();
        assertThat(endpoint.quotaUsage(traceId)).isNull();
        assertThat(endpoint.quotaRefusedCount()).isZero();
        assertThat(putAll(documents(traceId, 1_000)).unprocessedTraceSegments()).isEmpty();
    }

    @Test
    void withTheQuotaOffAnyAmountPerTraceIsAcceptedAndStillCounted() {
        try (LocalXRayEndpoint plain = LocalXRayEndpoint.builder().traceQuota(false).start();
             XRayClient plainClient = XRayClients.singleAttempt(plain)) {
            String traceId = newTraceId();
            List<ObjectNode> documents = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                documents.add(ofSize(Documents.segment(traceId, newId(), "part"), 60_000));
            }

            assertThat(put(plainClient, documents.subList(0, 5).toArray(ObjectNode[]::new)).unprocessedTraceSegments()).isEmpty();
            assertThat(put(plainClient, documents.subList(5, 10).toArray(ObjectNode[]::new)).unprocessedTraceSegments()).isEmpty();

            assertThat(plain.isTraceQuotaEnforced()).isFalse();
            assertThat(plain.clock().isManual()).isFalse();
            try (LocalXRayEndpoint byDefault = LocalXRayEndpoint.start()) {
                assertThat(byDefault.isTraceQuotaEnforced()).as("on by default, as on X-Ray").isTrue();
            }
            assertThat(plain.documents(traceId)).hasSize(10);
            assertThat(plain.bytesAccepted(traceId)).isEqualTo(600_000);
            assertThat(plain.bursts(traceId)).isEqualTo(1);
            assertThat(plain.quotaUsage(traceId).limitBytes()).isEqualTo(500_000);
            assertThat(plain.isLimitExceeded(traceId)).isFalse();
            assertThat(plain.quotaRefusedCount()).isZero();
            plain.assertNoViolations();
        }
    }

    @Test
    void withTheQuotaOffATricklingOldTraceIsCountedButNeverRefused() {
        SimulatedClock manual = SimulatedClock.manual(START);
        try (LocalXRayEndpoint off = LocalXRayEndpoint.builder().traceQuota(false).clock(manual).start();
             XRayClient offClient = XRayClients.singleAttempt(off)) {
            String traceId = newTraceId(manual.now());
            for (int burst = 0; burst < 8; burst++) {
                ObjectNode document = ofSize(segment(traceId, newId(), "part", manual.now()), 20_000);
                assertThat(put(offClient, document).unprocessedTraceSegments()).isEmpty();
                manual.advance(Duration.ofMinutes(1));
            }

            assertThat(off.bursts(traceId)).isEqualTo(8);
            assertThat(off.bytesAccepted(traceId)).isEqualTo(160_000);
            assertThat(off.quotaUsage(traceId).limitBytes()).isEqualTo(TraceQuota.LONG_TRICKLE_LIMIT_BYTES);
            assertThat(off.isLimitExceeded(traceId)).isFalse();
            assertThat(off.documents(traceId)).hasSize(8);
        }
    }

    @Test
    void theLimitIsAFunctionOfBurstsAndAge() {
        assertThat(TraceQuota.limitBytes(1, Duration.ofHours(3))).isEqualTo(500_000);
        assertThat(TraceQuota.limitBytes(3, Duration.ofHours(3))).isEqualTo(500_000);
        assertThat(TraceQuota.limitBytes(4, Duration.ZERO)).isEqualTo(100_000);
        assertThat(TraceQuota.limitBytes(4, Duration.ofMinutes(6))).isEqualTo(100_000);
        assertThat(TraceQuota.limitBytes(4, Duration.ofMinutes(6).plusMillis(1))).isEqualTo(14_000);
    }

    /** Segments of the trace, each of exactly the given UTF-8 size, timed at the clock's now. */
    private List<ObjectNode> documents(String traceId, int... sizes) {
        List<ObjectNode> documents = new ArrayList<>();
        for (int size : sizes) {
            documents.add(ofSize(segment(traceId, newId(), "part", clock.now()), size));
        }
        return documents;
    }

    private PutTraceSegmentsResponse putAll(List<ObjectNode> documents) {
        return put(client, documents.toArray(ObjectNode[]::new));
    }
}
