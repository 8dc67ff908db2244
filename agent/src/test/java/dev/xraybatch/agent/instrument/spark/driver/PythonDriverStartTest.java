package dev.xraybatch.agent.instrument.spark.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xraybatch.agent.export.Emittable;
import dev.xraybatch.agent.gaps.MainThreadGaps;
import dev.xraybatch.agent.json.JsonReader;
import dev.xraybatch.agent.trace.Ids;
import dev.xraybatch.agent.trace.Tracer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import py4j.commands.CallFromPython;

/**
 * The order of a PySpark driver's first phases must not depend on timing: the Python program connects to the
 * agent (inside PySpark's SparkContext set-up) and only later loads Spark's classes. When that stretch is long, as
 * on a busy machine, its sampled time and "Python driver start" once overlapped; here it is made long on purpose.
 */
class PythonDriverStartTest {
    private final List<Emittable> exported = new ArrayList<>();
    private final long mainStarted = Tracer.nowMicros() - 2_000_000L;
    private final Tracer tracer = Tracer.start(Ids.newTraceId(System.currentTimeMillis()), "job",
            mainStarted - 500_000L, null, "xray-batch-agent", "test", exported::add);
    private final SparkContextLifecycle hooks = new SparkContextLifecycle(tracer, () -> { }, () -> () -> { },
            () -> mainStarted, () -> 0L, null, false, new MainThreadGaps(tracer, false, 50L, () -> 0L));

    @Test
    void theSampledTimeAfterPythonConnectedNeverOverlapsPythonDriverStart() throws Exception {
        CallFromPython.run(() -> hooks.python().pythonConnected(0d, "3.11.2", "3.5.2"));
        // PySpark builds its SparkConf through Py4J before the JVM SparkContext: on a busy machine, long.
        Thread.sleep(10 * DriverGapSampler.PYTHON_SAMPLE_MILLIS);
        CallFromPython.run(hooks::sparkClassesLoading);
        Thread.sleep(4 * DriverGapSampler.PYTHON_SAMPLE_MILLIS);
        // The first step makes the thread busy: the sampler ends the gap where it began.
        long token = hooks.python().stepBegin("load");
        Thread.sleep(4 * DriverGapSampler.PYTHON_SAMPLE_MILLIS);
        hooks.python().stepEnd(token, null, null, null);
        tracer.closeRoot(Tracer.nowMicros());

        List<Map<String, Object>> subsegments = subsegments();
        Map<String, Object> start = named(subsegments, SparkPhases.PYTHON_DRIVER_START);
        List<Map<String, Object>> sampled = new ArrayList<>();
        for (Map<String, Object> s : subsegments) {
            if (s.get("name").equals(DriverGapSampler.PYTHON_NAME) || s.get("name").equals(DriverGapSampler.NAME)) {
                sampled.add(s);
            }
        }
        assertThat(sampled).as("the stretch between connecting and Spark's classes is sampled: %s", subsegments)
                .isNotEmpty();
        for (Map<String, Object> gap : sampled) {
            assertThat(time(gap, "start_time")).as("%s begins after %s", gap, start)
                    .isGreaterThanOrEqualTo(time(start, "end_time"));
        }
    }

    private static double time(Map<String, Object> subsegment, String field) {
        return ((Number) subsegment.get(field)).doubleValue();
    }

    private static Map<String, Object> named(List<Map<String, Object>> subsegments, String name) {
        for (Map<String, Object> s : subsegments) {
            if (name.equals(s.get("name"))) {
                return s;
            }
        }
        throw new AssertionError("no subsegment '" + name + "' in " + subsegments);
    }

    /** Every subsegment of every document sent, embedded or sent on its own. */
    private List<Map<String, Object>> subsegments() {
        List<Map<String, Object>> found = new ArrayList<>();
        for (Emittable e : exported) {
            List<String> documents = new ArrayList<>();
            e.render(documents::add);
            for (String document : documents) {
                collect(JsonReader.parse(document), found, true);
            }
        }
        return found;
    }

    @SuppressWarnings("unchecked")
    private static void collect(Object node, List<Map<String, Object>> found, boolean top) {
        if (node instanceof Map) {
            Map<String, Object> map = (Map<String, Object>) node;
            if (map.containsKey("name") && map.containsKey("start_time") && (!top || map.containsKey("parent_id"))) {
                found.add(map);
            }
            Object children = map.get("subsegments");
            if (children instanceof List) {
                for (Object child : (List<Object>) children) {
                    collect(child, found, false);
                }
            }
        }
    }
}
