package dev.xraybatch.agent.gaps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xraybatch.agent.export.Emittable;
import dev.xraybatch.agent.trace.Clock;
import dev.xraybatch.agent.trace.Ids;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A sampler that is not scheduled for a while (a busy machine: SpringBootBatchIT found blanks of 100-113 ms between
 * two statements) must still account for the thread's idle stretches of 100 ms or more, with their true bounds.
 */
class UnseenStretchesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Emittable> exported = Collections.synchronizedList(new ArrayList<>());

    @Test
    void stretchesThatBeganAndEndedBetweenTwoLooksAreSentAsNotSampledBetweenTheirNeighbours() throws Exception {
        Tracer tracer = Tracer.start(Ids.newTraceId(System.currentTimeMillis()), "job", Clock.nowMicros(), null,
                "xray-batch-agent", "test", exported::add);
        GapSampler sampler = GapSampler.watching(tracer, Thread.currentThread(), 0L, 50, () -> 0L);

        // Looked at once, at the start of the first stretch; then not again until the end.
        sampler.sampleOnce();
        Thread.sleep(150);
        Subsegment first = tracer.begin("first");
        tracer.end(first);
        Thread.sleep(30); // too short to matter: not kept
        Subsegment second = tracer.begin("second");
        tracer.end(second);
        Thread.sleep(150);
        Subsegment third = tracer.begin("third");
        sampler.sampleOnce();
        tracer.end(third);
        tracer.closeRoot(Clock.nowMicros());

        List<JsonNode> children = rootChildren();
        JsonNode seen = children.get(0); // named after the test's runner, whose stack the one look saw
        assertThat(seen.path("metadata").path("gaps").path("samples").asInt()).isEqualTo(1);
        JsonNode unseen = named(children, GapSampler.NOT_SAMPLED, null, 0);
        // The stretch the sampler saw begin ends where 'first' began, though the thread moved on twice since.
        assertThat(seen.path("end_time").asDouble())
                .isEqualTo(named(children, "first", null, 0).path("start_time").asDouble());
        assertThat(seen.path("metadata").path("gaps").path("before").asText()).isEqualTo("first");
        // The one it never saw: from when the thread left 'second' to the start of 'third', its neighbours named.
        assertThat(unseen.path("start_time").asDouble())
                .isGreaterThanOrEqualTo(named(children, "second", null, 0).path("end_time").asDouble());
        assertThat(unseen.path("end_time").asDouble() - unseen.path("start_time").asDouble())
                .as("the 150 ms sleep").isGreaterThanOrEqualTo(0.15);
        assertThat(unseen.path("end_time").asDouble())
                .isEqualTo(named(children, "third", null, 0).path("start_time").asDouble());
        assertThat(unseen.path("metadata").path("gaps").path("after").asText()).isEqualTo("second");
        assertThat(unseen.path("metadata").path("gaps").path("before").asText()).isEqualTo("third");
        // Nothing for the 30 ms between 'first' and 'second'.
        assertThat(children).hasSize(5);
    }

    @Test
    void atTheJobsEndAStretchTheSamplerFollowedEndsWhereItEndedNotOverTheWorkAfterIt() throws Exception {
        Tracer tracer = Tracer.start(Ids.newTraceId(System.currentTimeMillis()), "job", Clock.nowMicros(), null,
                "xray-batch-agent", "test", exported::add);
        GapSampler sampler = GapSampler.watching(tracer, Thread.currentThread(), 0L, 50, () -> 0L);

        sampler.sampleOnce();
        Thread.sleep(150);
        Subsegment report = tracer.begin("report");
        Thread.sleep(20);
        tracer.end(report);
        Thread.sleep(120);
        sampler.flush(); // the sampler never looked again: its stretch ended unseen, and one followed unseen
        tracer.closeRoot(Clock.nowMicros());

        List<JsonNode> children = rootChildren();
        assertThat(children).as("%s", children).hasSize(3);
        JsonNode reportNode = named(children, "report", null, 0);
        assertThat(children.get(0).path("end_time").asDouble()).isEqualTo(reportNode.path("start_time").asDouble());
        JsonNode after = named(children, GapSampler.NOT_SAMPLED, null, 0);
        assertThat(after.path("start_time").asDouble()).isGreaterThanOrEqualTo(reportNode.path("end_time").asDouble());
        assertThat(after.path("metadata").path("gaps").path("after").asText()).isEqualTo("report");
    }

    /** The child named {@code name} (or, failing that, {@code orName}), the {@code index}th of them by start. */
    private static JsonNode named(List<JsonNode> children, String name, String orName, int index) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode c : children) {
            String n = c.path("name").asText();
            if (n.equals(name) || n.equals(orName)) {
                found.add(c);
            }
        }
        assertThat(found).as("children named %s / %s in %s", name, orName, children).hasSizeGreaterThan(index);
        return found.get(index);
    }

    private List<JsonNode> rootChildren() throws Exception {
        List<JsonNode> children = new ArrayList<>();
        List<Emittable> copy;
        synchronized (exported) {
            copy = new ArrayList<>(exported);
        }
        for (Emittable e : copy) {
            List<String> raw = new ArrayList<>();
            e.render(raw::add);
            for (String r : raw) {
                JsonNode doc = JSON.readTree(r);
                if (doc.has("subsegments") && !doc.has("parent_id")) {
                    doc.path("subsegments").forEach(children::add);
                } else if (doc.has("parent_id")) {
                    children.add(doc);
                }
            }
        }
        children.sort((a, b) -> Double.compare(a.path("start_time").asDouble(), b.path("start_time").asDouble()));
        return children;
    }
}
