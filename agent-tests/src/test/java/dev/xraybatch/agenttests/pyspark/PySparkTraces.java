package dev.xraybatch.agenttests.pyspark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;

/** What the PySpark ITs look for in a driver's trace, and the rules every PySpark trace keeps. */
final class PySparkTraces {
    /** Spark's own entry points, which must never be shown as a user's action. */
    static final List<String> SPARK_INTERNALS = List.of("javaToPython", "runJob", "collectAndServe", "rdd",
            "javaRDD", "toJavaRDD", "toPython", "showString", "collectToPython", "PythonRDD");
    static final String PYTHON_DRIVER_CODE = "python driver code";

    private PySparkTraces() {
    }

    /** The trace whose root has this name (the Spark application's). */
    static Trace trace(LocalXRayEndpoint endpoint, String rootName) {
        return endpoint.traces().stream().filter(t -> t.root().name().equals(rootName)).findFirst()
                .orElseThrow(() -> new AssertionError("no trace named " + rootName + " among "
                        + endpoint.traces().stream().map(Trace::render).collect(Collectors.joining("\n"))));
    }

    /** Every action of the trace (the subsegments with a Spark call site), wherever it sits, in start order. */
    static List<TraceNode> actions(Trace trace) {
        return trace.root().descendants().stream()
                .filter(node -> !node.metadata("spark", "call_site").isMissingNode())
                .sorted((a, b) -> Double.compare(a.startTime(), b.startTime()))
                .collect(Collectors.toList());
    }

    static List<String> actionNames(Trace trace) {
        return actions(trace).stream().map(TraceNode::name).collect(Collectors.toList());
    }

    /**
     * The rules of a PySpark driver's trace: no Spark internal shown as an action; every Spark job under an action
     * or a named phase, none under the root; Python's own time never overlapping an action or another phase; and
     * the whole run explained: at least 95% of the root under named subsegments, no gap over a second.
     */
    static void assertWholeAndHonest(Trace trace) {
        String tree = trace.render();
        for (TraceNode action : actions(trace)) {
            String bare = action.name().split(" ")[0];
            assertThat(SPARK_INTERNALS).as("an internal shown as an action: " + action.name() + "\n" + tree)
                    .doesNotContain(bare);
        }
        for (TraceNode job : trace.root().descendants()) {
            if (job.name().matches("job \\d+")) {
                TraceNode parent = job.parent().orElseThrow();
                assertThat(parent.isSegment()).as(job.name() + " hangs under the root\n" + tree).isFalse();
            }
        }
        List<TraceNode> top = trace.root().children();
        for (TraceNode gap : top) {
            if (!gap.name().equals(PYTHON_DRIVER_CODE)) {
                continue;
            }
            for (TraceNode other : top) {
                if (other != gap && other.startTime() < gap.endTime() - 0.0005
                        && other.endTime() > gap.startTime() + 0.0005) {
                    throw new AssertionError("'" + PYTHON_DRIVER_CODE + "' at " + offset(trace, gap) + " overlaps '"
                            + other.name() + "' at " + offset(trace, other) + "\n" + tree);
                }
            }
            assertThat(gap.metadata("spark", "driver_samples").isMissingNode())
                    .as("a Python gap lists no JVM samples of the launcher waiting: " + gap.json()).isTrue();
        }
        for (TraceNode driver : trace.root().children("driver code")) {
            // Time in a Spark call Python made that is no action: named by that call, never the launcher waiting.
            assertThat(driver.metadata("spark", "python_called").isObject()).as(driver.json().toString()).isTrue();
            assertThat(driver.metadata("spark", "python_called").toString()).doesNotContain("PythonRunner")
                    .doesNotContain("PythonGatewayServer");
        }
        assertThat(trace.root().uncoveredGaps(1.0)).as(tree).isEmpty();
        assertThat(trace.root().coveredShare()).as("share of the root under named subsegments\n" + tree)
                .isGreaterThanOrEqualTo(0.95);
    }

    /** The first exception of a node's {@code cause}. */
    static JsonNode firstException(TraceNode node) {
        JsonNode exceptions = node.get("cause").path("exceptions");
        assertThat(exceptions.isArray() && exceptions.size() > 0).as("a cause on " + node.json()).isTrue();
        return exceptions.get(0);
    }

    /** The exception of this cause with this id, following {@code cause} links. */
    static Optional<JsonNode> exception(TraceNode node, String id) {
        for (JsonNode e : node.get("cause").path("exceptions")) {
            if (id.equals(e.path("id").asText())) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    private static String offset(Trace trace, TraceNode node) {
        return String.format("+%.3f..%.3f s", node.startTime() - trace.root().startTime(),
                node.endTime() - trace.root().startTime());
    }
}
