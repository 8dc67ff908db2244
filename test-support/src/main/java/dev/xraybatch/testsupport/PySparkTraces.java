package dev.xraybatch.testsupport;

import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

/** What the PySpark tests look for in a driver's trace, and the rules every PySpark trace keeps. */
public final class PySparkTraces {
    /** Spark's own entry points, which must never be shown as a user's action. */
    public static final List<String> SPARK_INTERNALS = List.of("javaToPython", "runJob", "collectAndServe", "rdd",
            "javaRDD", "toJavaRDD", "toPython", "showString", "collectToPython", "PythonRDD");
    public static final String PYTHON_DRIVER_CODE = "python driver code";

    private PySparkTraces() {
    }

    /** The trace whose root has this name (the Spark application's). */
    public static Trace trace(LocalXRayEndpoint endpoint, String rootName) {
        return endpoint.traces().stream().filter(t -> t.root().name().equals(rootName)).findFirst()
                .orElseThrow(() -> new AssertionError("no trace named " + rootName + " among "
                        + endpoint.traces().stream().map(Trace::render).collect(Collectors.joining("\n"))));
    }

    /** Every action of the trace (the subsegments with a Spark call site), wherever it sits, in start order. */
    public static List<TraceNode> actions(Trace trace) {
        return trace.root().descendants().stream()
                .filter(node -> !node.metadata("spark", "call_site").isMissingNode())
                .sorted((a, b) -> Double.compare(a.startTime(), b.startTime()))
                .collect(Collectors.toList());
    }

    public static List<String> actionNames(Trace trace) {
        return actions(trace).stream().map(TraceNode::name).collect(Collectors.toList());
    }

    /**
     * The rules of a PySpark driver's trace: no Spark internal shown as an action; every Spark job under an action
     * or a named phase, none under the root; Python's own time never overlapping an action or another phase; and
     * the whole run explained: at least 95% of the root under named subsegments, no gap over a second.
     */
    public static void assertWholeAndHonest(Trace trace) {
        String tree = trace.render();
        for (TraceNode action : actions(trace)) {
            String bare = action.name().split(" ")[0];
            check(!SPARK_INTERNALS.contains(bare), "an internal shown as an action: " + action.name(), tree);
        }
        for (TraceNode job : trace.root().descendants()) {
            if (job.name().matches("job \\d+")) {
                TraceNode parent = job.parent().orElseThrow();
                check(!parent.isSegment(), job.name() + " hangs under the root", tree);
            }
        }
        List<TraceNode> top = trace.root().children();
        for (TraceNode gap : top) {
            if (!gap.name().equals(PYTHON_DRIVER_CODE)) {
                continue;
            }
            for (TraceNode other : top) {
                // A long GC pause stops the JVM whatever Python does: it may fall in a gap.
                if (other != gap && !other.name().startsWith("GC pause")
                        && other.startTime() < gap.endTime() - 0.0005
                        && other.endTime() > gap.startTime() + 0.0005) {
                    throw new AssertionError("'" + PYTHON_DRIVER_CODE + "' at " + offset(trace, gap) + " overlaps '"
                            + other.name() + "' at " + offset(trace, other) + "\n" + tree);
                }
            }
            check(gap.metadata("spark", "driver_samples").isMissingNode(),
                    "a Python gap lists no JVM samples of the launcher waiting: " + gap.json(), tree);
        }
        for (TraceNode driver : trace.root().children("driver code")) {
            // Time in a Spark call Python made that is no action: named by that call, never the launcher waiting.
            JsonNode called = driver.metadata("spark", "python_called");
            check(called.isObject(), "a 'driver code' of PySpark names the Spark call Python waited on: "
                    + driver.json(), tree);
            check(!called.toString().contains("PythonRunner") && !called.toString().contains("PythonGatewayServer"),
                    "a 'driver code' shows the launcher waiting: " + driver.json(), tree);
        }
        List<String> gaps = trace.root().uncoveredGaps(1.0);
        check(gaps.isEmpty(), "gaps of over a second under the root: " + gaps, tree);
        double covered = trace.root().coveredShare();
        check(covered >= 0.95, String.format("only %.1f%% of the root under named subsegments", 100 * covered), tree);
    }

    /** The first exception of a node's {@code cause}. */
    public static JsonNode firstException(TraceNode node) {
        JsonNode exceptions = node.get("cause").path("exceptions");
        if (!exceptions.isArray() || exceptions.size() == 0) {
            throw new AssertionError("no cause on " + node.json());
        }
        return exceptions.get(0);
    }

    private static void check(boolean holds, String problem, String tree) {
        if (!holds) {
            throw new AssertionError(problem + "\n" + tree);
        }
    }

    private static String offset(Trace trace, TraceNode node) {
        return String.format("+%.3f..%.3f s", node.startTime() - trace.root().startTime(),
                node.endTime() - trace.root().startTime());
    }
}
