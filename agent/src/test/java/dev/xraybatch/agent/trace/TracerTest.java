package dev.xraybatch.agent.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xraybatch.agent.export.Emittable;
import dev.xraybatch.agent.json.JsonWriter;
import dev.xraybatch.testsupport.DocumentCheck;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

class TracerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Emittable> exported = Collections.synchronizedList(new ArrayList<>());
    private final Tracer tracer = new Tracer(Ids.newTraceId(System.currentTimeMillis()), "job",
            Clock.nowMicros(), null, new DocumentRenderer.AgentInfo("xray-batch-agent", "test"), exported::add);

    private List<JsonNode> documents() throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        List<Emittable> copy;
        synchronized (exported) {
            copy = new ArrayList<>(exported);
        }
        for (Emittable e : copy) {
            List<String> raw = new ArrayList<>();
            e.render(raw::add);
            for (String r : raw) {
                assertThat(JsonWriter.utf8Length(r)).isLessThanOrEqualTo(64 * 1024);
                docs.add(JSON.readTree(r));
            }
        }
        return docs;
    }

    @Test
    void nestedSubsegmentsAreEmbeddedInTheRootDocument() throws Exception {
        Subsegment outer = tracer.begin("outer");
        Subsegment inner = tracer.begin("inner");
        assertThat(tracer.current()).isSameAs(inner);
        tracer.end(inner);
        assertThat(tracer.current()).isSameAs(outer);
        tracer.end(outer);
        assertThat(tracer.current()).isSameAs(tracer.root());
        tracer.closeRoot(Clock.nowMicros());

        List<JsonNode> docs = documents();
        assertThat(docs).hasSize(1);
        JsonNode root = docs.get(0);
        assertThat(root.path("name").asText()).isEqualTo("job");
        assertThat(root.path("subsegments").get(0).path("name").asText()).isEqualTo("outer");
        assertThat(root.path("subsegments").get(0).path("subsegments").get(0).path("name").asText())
                .isEqualTo("inner");
        assertThat(DocumentCheck.problems(root)).isEmpty();
    }

    @Test
    void anExceptionMakesAFaultWithItsCauseAndOuterEntitiesReferToIt() throws Exception {
        Subsegment outer = tracer.begin("outer");
        Subsegment inner = tracer.begin("inner");
        IllegalStateException boom = new IllegalStateException("boom", new java.io.IOException("disk"));
        tracer.end(inner, boom);
        tracer.end(outer, boom);
        tracer.closeRoot(Clock.nowMicros());

        JsonNode outerDoc = documents().get(0).path("subsegments").get(0);
        JsonNode innerDoc = outerDoc.path("subsegments").get(0);
        assertThat(innerDoc.path("fault").asBoolean()).isTrue();
        JsonNode exceptions = innerDoc.path("cause").path("exceptions");
        assertThat(exceptions).hasSize(2);
        assertThat(exceptions.get(0).path("type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(exceptions.get(0).path("cause").asText()).isEqualTo(exceptions.get(1).path("id").asText());
        assertThat(exceptions.get(1).path("message").asText()).isEqualTo("disk");
        // The outer subsegment saw the same throwable: it points at the recorded exception, not a copy.
        assertThat(outerDoc.path("cause").asText()).isEqualTo(exceptions.get(0).path("id").asText());
    }

    @Test
    void pastTheLimitCallsBecomeOneSummary() throws Exception {
        for (int i = 0; i < 1000; i++) {
            Subsegment s = tracer.beginLimited("hot", 3);
            if (i == 500) {
                s.markError();
            }
            tracer.end(s);
        }
        assertThat(tracer.current()).isSameAs(tracer.root());
        tracer.closeRoot(Clock.nowMicros());

        List<JsonNode> all = new ArrayList<>();
        for (JsonNode d : documents()) {
            d.path("subsegments").forEach(all::add);
            if (d.path("type").asText().equals("subsegment")) {
                all.add(d);
            }
        }
        // Three whole, the failed call past the limit kept whole beside the summary, and the summary.
        assertThat(all).hasSize(5);
        assertThat(all.stream().filter(n -> n.path("error").asBoolean() && !n.path("metadata").has("xray_batch")))
                .hasSize(1);
        JsonNode summary = all.stream().filter(n -> n.path("metadata").has("xray_batch")).findFirst().orElseThrow();
        JsonNode stats = summary.path("metadata").path("xray_batch").path("summary");
        assertThat(stats.path("count").asLong()).isEqualTo(997);
        assertThat(stats.path("errors").asLong()).isEqualTo(1);
        assertThat(summary.path("error").asBoolean()).isTrue();
        assertThat(stats.path("limit").asInt()).isEqualTo(3);
        assertThat(summary.has("end_time")).isTrue();
    }

    @Test
    void manySubsegmentsStreamOutAsIndependentDocumentsWithBoundedSize() throws Exception {
        Subsegment open = tracer.begin("long-running");
        for (int i = 0; i < 1000; i++) {
            Subsegment s = tracer.begin("step " + i);
            s.annotate("index", i);
            tracer.end(s);
        }
        tracer.end(open);
        tracer.closeRoot(Clock.nowMicros());

        List<JsonNode> docs = documents();
        assertThat(docs.size()).isGreaterThan(1);
        int steps = 0;
        for (JsonNode d : docs) {
            assertThat(DocumentCheck.problems(d)).isEmpty();
            steps += countNamedStep(d);
        }
        assertThat(steps).isEqualTo(1000);
    }

    private static int countNamedStep(JsonNode n) {
        int c = n.path("name").asText().startsWith("step ") ? 1 : 0;
        for (JsonNode child : n.path("subsegments")) {
            c += countNamedStep(child);
        }
        return c;
    }

    @Test
    void workStillRunningAtExitIsEndedWithTheRoot() throws Exception {
        Subsegment handOver = tracer.begin("hand-over");
        Object context = tracer.capture();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Thread worker = new Thread(() -> {
            Object previous = tracer.attach(context);
            Subsegment late = tracer.begin("late work");
            started.countDown();
            try {
                finish.await();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            tracer.end(late);
            tracer.detach(previous);
        });
        worker.start();
        started.await();
        tracer.end(handOver);
        tracer.closeRoot(Clock.nowMicros());
        finish.countDown();
        worker.join();

        List<JsonNode> docs = documents();
        JsonNode root = docs.get(0);
        JsonNode handOverDoc = root.path("subsegments").get(0);
        // At exit the late work was still running: it is ended with the root and marked as such...
        JsonNode late = handOverDoc.path("subsegments").get(0);
        assertThat(late.path("name").asText()).isEqualTo("late work");
        assertThat(late.path("end_time").asDouble()).isEqualTo(root.path("end_time").asDouble());
        assertThat(late.path("metadata").path("xray_batch").path("ended_by_exit").asBoolean()).isTrue();
        // ...and its real end, after the root was sent, changes nothing.
        assertThat(docs).hasSize(1);
    }

    @Test
    void workStartedUnderAClosedParentIsSentOnItsOwnNamingTheParent() throws Exception {
        Subsegment handOver = tracer.begin("hand-over");
        Object context = tracer.capture();
        tracer.end(handOver);
        for (int i = 0; i < Tracer.STREAM_AFTER + 1; i++) {
            tracer.end(tracer.begin("filler " + i)); // streams hand-over out
        }
        Object previous = tracer.attach(context);
        Subsegment late = tracer.begin("late work");
        tracer.end(late);
        tracer.detach(previous);

        JsonNode lateDoc = documents().stream().filter(d -> d.path("name").asText().equals("late work"))
                .findFirst().orElseThrow();
        assertThat(lateDoc.path("type").asText()).isEqualTo("subsegment");
        assertThat(lateDoc.path("parent_id").asText()).isEqualTo(handOver.id());
        assertThat(DocumentCheck.problems(lateDoc)).isEmpty();
    }

    @Test
    void detachedSubsegmentsGoOutWithTheirOwnTraceAndParent() throws Exception {
        String otherTrace = Ids.newTraceId(System.currentTimeMillis());
        Subsegment stage = tracer.beginDetached(otherTrace, "0123456789abcdef", "stage 3", Clock.nowMicros());
        Subsegment task = tracer.beginChild(stage, "task 7");
        tracer.end(task);
        stage.setEndMicros(Clock.nowMicros() + 5);
        tracer.end(stage);

        List<JsonNode> docs = documents();
        assertThat(docs).hasSize(1);
        JsonNode doc = docs.get(0);
        assertThat(doc.path("trace_id").asText()).isEqualTo(otherTrace);
        assertThat(doc.path("parent_id").asText()).isEqualTo("0123456789abcdef");
        assertThat(doc.path("subsegments").get(0).path("name").asText()).isEqualTo("task 7");
        assertThat(DocumentCheck.problems(doc)).isEmpty();
    }

    @Test
    void aFixedIdIsTheOneDocumentsAndChildrenInOtherDocumentsName() throws Exception {
        Subsegment stage = tracer.beginChild(tracer.root(), "stage 3");
        assertThat(tracer.assignId(stage, "00000000000000ff")).isTrue();
        assertThat(tracer.assignId(tracer.beginChild(tracer.root(), "other"), "not an id")).isFalse();
        assertThat(tracer.assignId(tracer.beginChild(tracer.root(), "other"), "0000000000000000")).isFalse();
        Subsegment summary = tracer.beginDetached(tracer.traceId(), "00000000000000ff", "on executor 1",
                Clock.nowMicros());
        tracer.end(summary);
        tracer.end(stage);
        tracer.closeRoot(Clock.nowMicros());

        List<JsonNode> docs = documents();
        JsonNode summaryDoc = docs.stream().filter(d -> d.path("name").asText().equals("on executor 1"))
                .findFirst().orElseThrow();
        JsonNode rootDoc = docs.stream().filter(d -> d.path("name").asText().equals("job")).findFirst().orElseThrow();
        assertThat(rootDoc.path("subsegments").get(0).path("id").asText()).isEqualTo("00000000000000ff");
        assertThat(summaryDoc.path("parent_id").asText()).isEqualTo("00000000000000ff");
    }

    @Test
    void aLocalRootIsNeverSentButDetachedWorkAndWorkBeneathItIs() throws Exception {
        tracer.keepRootLocal();
        tracer.emitInProgressRoot();
        for (int i = 0; i < Tracer.STREAM_AFTER + 1; i++) {
            tracer.end(tracer.begin("under the root " + i)); // would stream out
        }
        String driverTrace = Ids.newTraceId(System.currentTimeMillis());
        Subsegment summary = tracer.beginDetached(driverTrace, "0123456789abcdef", "stage 3 on executor 1",
                Clock.nowMicros());
        Object previous = tracer.attach(summary);
        tracer.end(tracer.begin("S3.GetObject"));
        tracer.detach(previous);
        tracer.end(summary);
        tracer.closeRoot(Clock.nowMicros());

        List<JsonNode> docs = documents();
        assertThat(docs).hasSize(1);
        assertThat(docs.get(0).path("trace_id").asText()).isEqualTo(driverTrace);
        assertThat(docs.get(0).path("subsegments").get(0).path("name").asText()).isEqualTo("S3.GetObject");
    }

    @Test
    void anOversizedTreeIsSplitIntoDocumentsUnder64k() throws Exception {
        Subsegment parent = tracer.begin("big");
        StringBuilder blob = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            blob.append("0123456789");
        }
        for (int i = 0; i < 10; i++) {
            Subsegment s = tracer.begin("child " + i);
            s.putMetadata("payload", "blob", blob.toString());
            tracer.end(s);
        }
        tracer.end(parent);
        tracer.closeRoot(Clock.nowMicros());
        List<JsonNode> docs = documents();
        assertThat(docs.size()).isGreaterThan(2);
        for (JsonNode d : docs) {
            assertThat(DocumentCheck.problems(d)).isEmpty();
        }
    }

    @Test
    void asyncWorkDoneWhenItsCallerEndsEndsWithTheCallerNotAfterIt() throws Exception {
        Subsegment caller = tracer.begin("caller");
        Subsegment transfer = tracer.begin("S3 upload");
        tracer.detach(caller);
        boolean[] done = {true};
        tracer.endsWhenDone(transfer, () -> done[0]);
        // The caller was woken by the completion before the transfer's own callback ran.
        tracer.end(caller);
        assertThat(transfer.closed).isTrue();
        assertThat(transfer.endMicros).isEqualTo(caller.endMicros);
        long ended = transfer.endMicros;
        Thread.sleep(2);
        tracer.endOnce(transfer, new IllegalStateException("late callback"));
        assertThat(transfer.endMicros).isEqualTo(ended);
        assertThat(transfer.hasFault()).isFalse();
        tracer.closeRoot(Clock.nowMicros());

        JsonNode callerDoc = documents().get(0).path("subsegments").get(0);
        assertThat(callerDoc.path("subsegments").get(0).path("name").asText()).isEqualTo("S3 upload");
    }

    @Test
    void asyncWorkNotDoneWhenItsCallerEndsStaysOpenUnderItAndEndsAtItsOwnTime() throws Exception {
        Subsegment caller = tracer.begin("caller");
        Subsegment transfer = tracer.begin("S3 upload");
        tracer.detach(caller);
        tracer.endsWhenDone(transfer, () -> false);
        assertThat(caller.probedChildren).containsExactly(transfer);
        tracer.end(caller);
        assertThat(transfer.closed).isFalse();
        Thread.sleep(2);
        tracer.endOnce(transfer, null);
        assertThat(transfer.closed).isTrue();
        assertThat(transfer.endMicros).isGreaterThan(caller.endMicros);
        assertThat(transfer.doneProbe).isNull();
        tracer.endOnce(transfer, null);
        tracer.closeRoot(Clock.nowMicros());

        List<JsonNode> docs = documents();
        assertThat(docs).hasSize(1);
        JsonNode callerDoc = docs.get(0).path("subsegments").get(0);
        assertThat(callerDoc.path("name").asText()).isEqualTo("caller");
        assertThat(callerDoc.path("subsegments")).hasSize(1);
        assertThat(callerDoc.path("subsegments").get(0).path("name").asText()).isEqualTo("S3 upload");
        assertThat(callerDoc.path("subsegments").get(0).has("in_progress")).isFalse();
    }

    @Test
    void asyncWorkEndedBeforeItsCallerLeavesNothingBehindInIt() {
        Subsegment caller = tracer.begin("caller");
        Subsegment transfer = tracer.begin("S3 upload");
        tracer.detach(caller);
        tracer.endsWhenDone(transfer, () -> true);
        tracer.endOnce(transfer, null);
        assertThat(caller.probedChildren).isEmpty();
        assertThat(transfer.doneProbe).isNull();
        tracer.end(caller);
        assertThat(transfer.endMicros).isLessThanOrEqualTo(caller.endMicros);
    }
}
