package dev.xraybatch.agent.lifecycle.jvm;

import dev.xraybatch.agent.export.DocumentExporter;
import dev.xraybatch.agent.export.ExportPipeline;
import dev.xraybatch.agent.export.ExportSettings;
import dev.xraybatch.agent.export.SendOutcome;
import dev.xraybatch.agent.json.JsonReader;
import dev.xraybatch.agent.lifecycle.JobLifecycle;
import dev.xraybatch.agent.trace.Ids;
import dev.xraybatch.agent.trace.Tracer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The pause rules, through a real tracer and export pipeline: what reaches the documents. */
class JvmCostsTest {
    private static final long JVM_START_MILLIS = System.currentTimeMillis() - 60_000L;

    private final List<String> sent = Collections.synchronizedList(new ArrayList<>());
    private final ExportPipeline pipeline = ExportPipeline.start(new DocumentExporter() {
        @Override
        public SendOutcome send(List<String> documents) {
            sent.addAll(documents);
            return SendOutcome.accepted();
        }

        @Override
        public String describe() {
            return "memory";
        }

        @Override
        public void close() {
        }
    }, ExportSettings.builder().build());
    private final Tracer tracer = Tracer.start(Ids.newTraceId(System.currentTimeMillis()), "job",
            JVM_START_MILLIS * 1000L, null, "xray-batch-agent", "test", pipeline::offer);
    private final JobLifecycle lifecycle = new JobLifecycle(tracer, pipeline, 10_000L);

    private static GcPause pause(String collector, long startMillis, long durationMillis) {
        return new GcPause(collector, "end of major GC", "System.gc()", 7L, startMillis, durationMillis,
                300L << 20, 200L << 20);
    }

    @Test
    void aPauseAtLeastTheThresholdLongIsASubsegmentOfTheRootAtItsTime() {
        JvmCosts costs = JvmCosts.start(tracer, JVM_START_MILLIS, 1000L);
        lifecycle.reportJvmCosts(costs);
        costs.collected(pause("MarkSweepCompact", 2_000L, 61_000L));
        costs.collected(pause("PS Scavenge", 5_000L, 999L)); // shorter than the threshold
        costs.collected(pause("ZGC Cycles", 9_000L, 90_000L)); // a concurrent cycle: no pause at all
        lifecycle.flushAtExit();

        List<Map<?, ?>> documents = sent.stream().map(d -> (Map<?, ?>) JsonReader.parse(d))
                .collect(Collectors.toList());
        List<Map<?, ?>> pauses = new ArrayList<>();
        for (Map<?, ?> d : documents) {
            collect(d, pauses);
        }
        assertThat(pauses).hasSize(1);
        Map<?, ?> p = pauses.get(0);
        assertThat(p.get("name")).isEqualTo("GC pause: MarkSweepCompact - System.gc");
        assertThat(((Number) p.get("start_time")).doubleValue()).isEqualTo((JVM_START_MILLIS + 2_000L) / 1000.0);
        assertThat(((Number) p.get("end_time")).doubleValue()).isEqualTo((JVM_START_MILLIS + 63_000L) / 1000.0);
        Map<?, ?> gc = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) p.get("metadata")).get("xray_batch")).get("gc");
        assertThat(gc.get("collector")).isEqualTo("MarkSweepCompact");
        assertThat(gc.get("cause")).isEqualTo("System.gc()");
        assertThat(((Number) gc.get("heap_used_before_bytes")).longValue()).isEqualTo(300L << 20);

        Map<?, ?> root = documents.stream().filter(d -> "job".equals(d.get("name")) && d.get("end_time") != null)
                .findFirst().orElseThrow(AssertionError::new);
        Map<String, ?> annotations = (Map<String, ?>) root.get("annotations");
        assertThat(((Number) annotations.get("gc_longest_pause_ms")).longValue())
                .as("the cycle's 90 s are not a pause").isEqualTo(61_000L);
        assertThat(annotations.keySet()).contains("gc_count", "gc_pause_ms", "classes_loaded");
    }

    @Test
    void shorterPausesAreOnlyCounted() {
        JvmCosts costs = JvmCosts.start(tracer, JVM_START_MILLIS, 1000L);
        lifecycle.reportJvmCosts(costs);
        costs.collected(pause("G1 Young Generation", 2_000L, 999L));
        lifecycle.flushAtExit();
        assertThat(sent).noneSatisfy(d -> assertThat(d).contains("GC pause"));
    }

    /** A continuation trace's root carries the pauses that began in its window, and only those. */
    @Test
    void aWindowsRootCarriesItsOwnPauses() {
        Tracer windowed = Tracer.start(Ids.newTraceId(System.currentTimeMillis()), "job", JVM_START_MILLIS * 1000L,
                null, "xray-batch-agent", "test", pipeline::offer, 1000L, null);
        JvmCosts costs = JvmCosts.start(windowed, JVM_START_MILLIS, 1000L);
        assertThat(costs.awaitListeners(30_000L)).isTrue();
        costs.collected(pause("G1 Young Generation", 1_999L, 5L)); // window 1
        costs.collected(pause("G1 Young Generation", 2_000L, 30L)); // window 2
        costs.collected(pause("G1 Old Generation", 2_500L, 400L));
        costs.collected(pause("ZGC Cycles", 2_600L, 900L)); // no pause
        costs.collected(pause("G1 Young Generation", 3_000L, 7L)); // window 3

        long start = (JVM_START_MILLIS + 2_000L) * 1000L;
        Map<?, ?> part = (Map<?, ?>) JsonReader.parse(windowed.partRoot(windowed.run(), windowed.traceId(), 2, start,
                start + 1_000_000L, Collections.emptyMap()));
        Map<?, ?> annotations = (Map<?, ?>) part.get("annotations");
        assertThat(((Number) annotations.get("gc_count")).longValue()).isEqualTo(2L);
        assertThat(((Number) annotations.get("gc_pause_ms")).longValue()).isEqualTo(430L);
        assertThat(((Number) annotations.get("gc_longest_pause_ms")).longValue()).isEqualTo(400L);

        Map<?, ?> quiet = (Map<?, ?>) ((Map<?, ?>) JsonReader.parse(windowed.partRoot(windowed.run(),
                windowed.traceId(), 5, start + 3_000_000L, start + 4_000_000L, Collections.emptyMap())))
                .get("annotations");
        assertThat(((Number) quiet.get("gc_count")).longValue()).isZero();
        assertThat(quiet.containsKey("gc_longest_pause_ms")).isFalse();
    }

    private static void collect(Map<?, ?> entity, List<Map<?, ?>> pauses) {
        Object name = entity.get("name");
        if (name instanceof String && ((String) name).startsWith("GC pause")) {
            pauses.add(entity);
        }
        Object children = entity.get("subsegments");
        if (children instanceof List) {
            for (Object child : (List<?>) children) {
                collect((Map<?, ?>) child, pauses);
            }
        }
    }
}
