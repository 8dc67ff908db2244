package dev.xraybatch.agenttests.spark;

import java.util.List;
import java.util.stream.Collectors;

import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;

/** What the Spark ITs look for in a trace: the driver's, and its action subsegments in order. */
final class SparkTraces {

    /** One action per scenario of {@link SparkScenarioJob#SCENARIOS}, named as the user's code called it. */
    static final List<String> EXPECTED_ACTIONS = List.of(
            "count", "show", "collectAsList", "foreach", "parquet", "sql", "count", "take", "saveAsTextFile",
            "count", "count", "collectAsList", "count", "show", "collect", "writeDynamicFrame");

    private SparkTraces() {
    }

    /** The trace whose root is the driver (executors with the agent send into it, and their own traces). */
    static Trace driverTrace(LocalXRayEndpoint endpoint) {
        return endpoint.traces().stream()
                .filter(trace -> !trace.root().descendants("SparkContext start").isEmpty())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no trace with a Spark driver among "
                        + endpoint.traces().stream().map(Trace::render).collect(Collectors.joining("\\n"))));
    }

    /** The root's children that are actions: the ones carrying a Spark call site (metadata; annotations run out). */
    static List<TraceNode> actions(Trace trace) {
        return trace.root().children().stream()
                .filter(node -> !node.metadata("spark", "call_site").isMissingNode())
                .collect(Collectors.toList());
    }

    /**
     * The root's children by name, without the "JVM shut-down" phase, which starts when the driver's main ends
     * and so holds Spark's stop when a shutdown hook does it, without the long GC pauses a loaded machine may
     * make (they are the JVM's, not the job's phases), and without the sampled stretches of the driver's own time
     * between them (namespace {@code gaps}), whose number depends on how busy the machine was.
     */
    static List<String> phases(Trace trace) {
        return trace.root().children().stream().filter(node -> node.metadata("gaps", "samples").isMissingNode())
                .map(TraceNode::name).filter(name -> !name.equals("JVM shut-down"))
                .filter(name -> !name.startsWith("GC pause"))
                .collect(Collectors.toList());
    }

    /** The actions alone ({@code count}): each action's name up to " at ". */
    static List<String> actionNames(Trace trace) {
        return actions(trace).stream().map(SparkTraces::bareAction).collect(Collectors.toList());
    }

    /** {@code count} of {@code "count at SparkScenarioJob.java:74"}. */
    static String bareAction(TraceNode action) {
        String name = action.name();
        int at = name.indexOf(" at ");
        return at < 0 ? name : name.substring(0, at);
    }

    /** Every action is named as the Spark UI names its job: the action, then the job's file and line. */
    static void assertNamedByCallSite(Trace trace, String file) {
        for (TraceNode action : actions(trace)) {
            org.assertj.core.api.Assertions.assertThat(action.name()).as(trace.render())
                    .matches("\\w+ at " + java.util.regex.Pattern.quote(file) + ":\\d+");
            org.assertj.core.api.Assertions.assertThat(action.annotation("spark_action").asText())
                    .isEqualTo(bareAction(action));
        }
    }
}
