package dev.xraybatch.agent.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xraybatch.agent.export.Emittable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls past their limit: one summary per name and window, handed over with the window's work; names built from
 * data counting against their template; the limit after the root closed; failed calls kept whole; exact counts
 * from many threads at once.
 */
class CallSummaryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long START_MICROS = 1_700_000_000_000_000L;
    private static final long WINDOW_MILLIS = 20_000L;

    private final List<Emittable> exported = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong now = new AtomicLong(START_MICROS);
    private final Tracer tracer = new Tracer(Ids.newTraceId(START_MICROS / 1_000_000L), "job", START_MICROS, null,
            new DocumentRenderer.AgentInfo("xray-batch-agent", "test"), exported::add, WINDOW_MILLIS, now::get);

    /** Calls {@code name} {@code times} times, each 1 ms long, past the limit after the first {@code limit}. */
    private void call(String name, int limit, int times) {
        for (int i = 0; i < times; i++) {
            Subsegment s = tracer.beginLimited(name, limit);
            now.addAndGet(1000L);
            tracer.end(s);
        }
    }

    /** Calls named from data ({@code name i}) counting against {@code key}. */
    private void callNamedFromData(String key, String name, int limit, int times) {
        for (int i = 0; i < times; i++) {
            Subsegment s = tracer.beginLimited(key, name + " " + i, limit);
            now.addAndGet(1000L);
            tracer.end(s);
        }
    }

    private void moveTo(long millisIntoJob) {
        now.set(START_MICROS + millisIntoJob * 1000L);
    }

    /** Every entity of the documents handed over since {@code from}, flattened. */
    private List<JsonNode> entitiesFrom(int from) throws Exception {
        List<JsonNode> all = new ArrayList<>();
        List<Emittable> copy;
        synchronized (exported) {
            copy = new ArrayList<>(exported.subList(from, exported.size()));
        }
        for (Emittable e : copy) {
            List<String> raw = new ArrayList<>();
            e.render(raw::add);
            for (String r : raw) {
                flatten(JSON.readTree(r), all);
            }
        }
        return all;
    }

    private static void flatten(JsonNode n, List<JsonNode> into) {
        into.add(n);
        for (JsonNode child : n.path("subsegments")) {
            flatten(child, into);
        }
    }

    private static List<JsonNode> summaries(List<JsonNode> entities) {
        List<JsonNode> summaries = new ArrayList<>();
        for (JsonNode e : entities) {
            if (e.path("metadata").path("xray_batch").has("summary")) {
                summaries.add(e);
            }
        }
        return summaries;
    }

    private static long count(JsonNode summary) {
        return summary.path("metadata").path("xray_batch").path("summary").path("count").asLong();
    }

    @Test
    void eachWindowsSummaryIsHandedOverWithThatWindowsWork() throws Exception {
        call("parse", 10, 110); // 10 whole, 100 summarized, in window 0
        moveTo(WINDOW_MILLIS + 500);
        call("parse", 10, 50); // window 1
        moveTo(WINDOW_MILLIS + 5_000); // the end of window 0 plus its grace: the burst policy's cut
        tracer.cutFinished();

        List<JsonNode> firstCut = summaries(entitiesFrom(0));
        assertThat(firstCut).as("window 0's summary, and only it, goes with window 0's cut").hasSize(1);
        assertThat(count(firstCut.get(0))).isEqualTo(100);
        assertThat(firstCut.get(0).path("end_time").asDouble() * 1000)
                .isLessThan(START_MICROS / 1000.0 + WINDOW_MILLIS);

        int handed = exported.size();
        moveTo(2 * WINDOW_MILLIS + 5_000);
        tracer.cutFinished();
        List<JsonNode> secondCut = summaries(entitiesFrom(handed));
        assertThat(secondCut).as("window 1's summary with window 1's cut").hasSize(1);
        assertThat(count(secondCut.get(0))).isEqualTo(50);

        int beforeEnd = exported.size();
        tracer.closeRoot(now.get());
        assertThat(summaries(entitiesFrom(beforeEnd))).as("nothing counted twice at the end").isEmpty();
    }

    @Test
    void theLastWindowsSummaryGoesOutBeforeTheFinalRootOnceWindowsAreCut() throws Exception {
        call("parse", 10, 30);
        moveTo(WINDOW_MILLIS + 5_000);
        tracer.cutFinished();
        call("parse", 10, 40); // window 1, still open at the end
        int beforeEnd = exported.size();
        tracer.closeRoot(now.get());

        List<Emittable> atEnd = new ArrayList<>(exported.subList(beforeEnd, exported.size()));
        assertThat(atEnd.get(atEnd.size() - 1).toString()).doesNotContain("work");
        List<JsonNode> details = new ArrayList<>();
        for (Emittable e : atEnd.subList(0, atEnd.size() - 1)) {
            List<String> raw = new ArrayList<>();
            e.render(raw::add);
            for (String r : raw) {
                flatten(JSON.readTree(r), details);
            }
        }
        List<JsonNode> last = summaries(details);
        assertThat(last).as("the last window's summary is a detail of the last window, not in the final root")
                .hasSize(1);
        assertThat(count(last.get(0))).isEqualTo(40);
    }

    @Test
    void namesBuiltFromDataCountAgainstTheirTemplate() throws Exception {
        callNamedFromData("load {arg0}", "load", 5, 10_000);
        tracer.closeRoot(now.get());

        List<JsonNode> entities = entitiesFrom(0);
        long whole = entities.stream().filter(e -> e.path("name").asText().startsWith("load ")
                && !e.path("metadata").path("xray_batch").has("summary")).count();
        assertThat(whole).as("subsegments of their own: the template's limit").isEqualTo(5);
        List<JsonNode> summaries = summaries(entities);
        assertThat(summaries).hasSize(1);
        assertThat(summaries.get(0).path("name").asText()).isEqualTo(Names.segmentName("load {arg0}"));
        assertThat(count(summaries.get(0))).isEqualTo(9_995);
        assertThat(tracer.root().childLimits).as("one counter per template, not per name").hasSize(1);
    }

    @Test
    void theLimitHoldsAfterTheRootClosed() throws Exception {
        call("hot", 3, 10);
        tracer.closeRoot(now.get());
        int atClose = exported.size();

        call("hot", 3, 1_000); // a thread still at work while the JVM exits
        assertThat(exported.size() - atClose).as("nothing handed over per call after the root closed").isZero();
        assertThat(tracer.callsPastLimitUnsent()).isEqualTo(1_000);
    }

    @Test
    void failedCallsPastTheLimitAreKeptWholeWithTheirCauseUpToACapPerWindow() throws Exception {
        call("hot", 3, 3);
        for (int i = 0; i < 25; i++) {
            Subsegment s = tracer.beginLimited("hot", 3);
            now.addAndGet(1000L);
            tracer.end(s, new IllegalStateException("bad record " + i));
        }
        moveTo(WINDOW_MILLIS + 100);
        Subsegment late = tracer.beginLimited("hot", 3);
        tracer.end(late, new IllegalStateException("bad record late"));
        tracer.closeRoot(now.get());

        List<JsonNode> entities = entitiesFrom(0);
        List<JsonNode> kept = new ArrayList<>();
        for (JsonNode e : entities) {
            if (e.path("name").asText().equals("hot") && e.path("fault").asBoolean()
                    && !e.path("metadata").path("xray_batch").has("summary")) {
                kept.add(e);
            }
        }
        assertThat(kept).as("10 per window, the next window's own").hasSize(CallSummary.FAILED_KEPT + 1);
        assertThat(kept.get(0).path("fault").asBoolean()).isTrue();
        assertThat(kept.get(0).path("cause").path("exceptions").get(0).path("message").asText())
                .startsWith("bad record");
        List<JsonNode> summaries = summaries(entities);
        assertThat(summaries).hasSize(2);
        JsonNode first = summaries.get(0).path("metadata").path("xray_batch").path("summary");
        assertThat(first.path("count").asLong()).isEqualTo(25);
        assertThat(first.path("faults").asLong()).isEqualTo(25);
        assertThat(first.path("failed_kept").asInt()).isEqualTo(CallSummary.FAILED_KEPT);
    }

    @Test
    void manyThreadsThroughOneHotMethodCountExactly() throws Exception {
        int threads = 16;
        int perThread = 20_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    Subsegment s = tracer.beginLimited("hot", 100);
                    tracer.end(s);
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        tracer.closeRoot(now.get());
        List<JsonNode> summaries = summaries(entitiesFrom(0));
        assertThat(summaries).hasSize(1);
        assertThat(count(summaries.get(0))).isEqualTo((long) threads * perThread - 100);
    }
}
