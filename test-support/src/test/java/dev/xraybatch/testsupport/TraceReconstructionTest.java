package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.UnprocessedTraceSegment;

import java.time.Duration;

import static dev.xraybatch.testsupport.Documents.embed;
import static dev.xraybatch.testsupport.Documents.inProgressSegment;
import static dev.xraybatch.testsupport.Documents.independentSubsegment;
import static dev.xraybatch.testsupport.Documents.newId;
import static dev.xraybatch.testsupport.Documents.newTraceId;
import static dev.xraybatch.testsupport.Documents.segment;
import static dev.xraybatch.testsupport.Documents.subsegment;
import static dev.xraybatch.testsupport.XRayClients.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One tree per trace, however the documents were split, and the id rules that span documents. */
class TraceReconstructionTest {

    private final LocalXRayEndpoint endpoint = LocalXRayEndpoint.start();
    private final XRayClient client = XRayClients.singleAttempt(endpoint);
    private final String traceId = newTraceId();
    private final String rootId = newId();

    @AfterEach
    void stop() {
        client.close();
        endpoint.close();
    }

    @Test
    void mergesEmbeddedAndIndependentSubsegmentsUnderTheirParents() {
        ObjectNode stage = independentSubsegment(traceId, newId(), rootId, "stage");
        ObjectNode task = subsegment(newId(), "task");
        embed(stage, task);
        ObjectNode s3 = independentSubsegment(traceId, newId(), task.get("id").asText(), "S3");
        ObjectNode setup = subsegment(newId(), "setup");

        put(client, inProgressSegment(traceId, rootId, "job"));
        put(client, s3, stage);
        put(client, embed(segment(traceId, rootId, "job"), setup));

        Trace trace = endpoint.onlyTrace();
        TraceNode root = trace.root();
        assertThat(root.name()).isEqualTo("job");
        assertThat(root.isSegment()).isTrue();
        assertThat(root.isInProgress()).isFalse();
        assertThat(root.children()).extracting(TraceNode::name).containsExactlyInAnyOrder("setup", "stage");
        assertThat(root.child("stage").child("task").child("S3").id()).isEqualTo(s3.get("id").asText());
        assertThat(root.descendant("S3").parent()).hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("task"));
        assertThat(trace.documents()).hasSize(4);
        assertThat(trace.nodes()).hasSize(5);
        endpoint.assertNoViolations();
    }

    @Test
    void aSubsegmentWhoseParentNeverArrivedIsASecondRoot() {
        put(client, segment(traceId, rootId, "job"),
                independentSubsegment(traceId, newId(), newId(), "orphan"));

        Trace trace = endpoint.trace(traceId);

        assertThat(trace.roots()).extracting(TraceNode::name).containsExactlyInAnyOrder("job", "orphan");
        assertThatThrownBy(trace::root).isInstanceOf(AssertionError.class)
                .hasMessageContaining("found 2").hasMessageContaining("orphan");
    }

    @Test
    void navigationFailuresShowTheTree() {
        put(client, embed(segment(traceId, rootId, "job"), subsegment(newId(), "read"), subsegment(newId(), "read")));

        TraceNode root = endpoint.trace(traceId).root();

        assertThat(root.children("read")).hasSize(2);
        assertThatThrownBy(() -> root.child("read")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("exactly one child 'read'").hasMessageContaining("found 2")
                .hasMessageContaining("trace " + traceId);
        assertThatThrownBy(() -> root.child("write")).hasMessageContaining("found 0");
    }

    @Test
    void aCompleteDocumentReplacesTheInProgressOneButNotAnotherCompleteOne() {
        put(client, inProgressSegment(traceId, rootId, "job"));
        assertThat(endpoint.trace(traceId).root().isInProgress()).isTrue();

        assertThat(put(client, segment(traceId, rootId, "job")).unprocessedTraceSegments()).isEmpty();
        assertThat(endpoint.trace(traceId).root().isInProgress()).isFalse();
        endpoint.assertNoViolations();

        assertThat(put(client, segment(traceId, rootId, "job again")).unprocessedTraceSegments())
                .extracting(UnprocessedTraceSegment::errorCode).containsExactly("InvalidSegment");
        assertThat(endpoint.violations()).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("already has a complete document"));
        assertThat(endpoint.trace(traceId).root().name()).isEqualTo("job");
    }

    @Test
    void aSecondInProgressDocumentForTheSameIdIsAViolation() {
        put(client, inProgressSegment(traceId, rootId, "job"));

        assertThat(put(client, inProgressSegment(traceId, rootId, "job")).unprocessedTraceSegments()).hasSize(1);
        assertThat(endpoint.violations()).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("already has an in-progress document"));
    }

    @Test
    void anIdReusedByAnotherEntityOfTheTraceIsAViolation() {
        String reused = newId();
        put(client, embed(segment(traceId, rootId, "job"), subsegment(reused, "read")));

        assertThat(put(client, independentSubsegment(traceId, reused, rootId, "write")).unprocessedTraceSegments())
                .hasSize(1);
        assertThat(endpoint.violations()).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("id " + reused).contains("already used"));
    }

    @Test
    void anEmbeddedInProgressSubsegmentMayBeCompletedByAnIndependentDocument() {
        String step = newId();
        ObjectNode running = subsegment(step, "step");
        running.remove("end_time");
        running.put("in_progress", true);
        put(client, embed(inProgressSegment(traceId, rootId, "job"), running));

        put(client, independentSubsegment(traceId, step, rootId, "step"));

        assertThat(endpoint.trace(traceId).root().child("step").isInProgress()).isFalse();
        endpoint.assertNoViolations();
    }

    @Test
    void awaitTraceWaitsForAConditionThatMayThrowMeanwhile() throws Exception {
        Thread sender = new Thread(() -> {
            put(client, independentSubsegment(traceId, newId(), rootId, "step"));
            put(client, segment(traceId, rootId, "job"));
        });
        sender.start();

        Trace trace = endpoint.awaitTrace(t -> t.root().hasChild("step"), Duration.ofSeconds(30));
        sender.join();

        assertThat(trace.root().name()).isEqualTo("job");
    }
}
