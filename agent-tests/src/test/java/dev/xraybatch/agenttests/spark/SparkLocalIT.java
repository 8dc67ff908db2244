package dev.xraybatch.agenttests.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;

/**
 * The whole scenario list in one {@code local[2,2]} context (two threads; the second number lets a failed task be
 * retried, which plain {@code local[2]} never does). The driver ends with {@code System.exit(0)} and no stop, as
 * PySpark's gateway JVM does: the last action's jobs and stages must still arrive. Tagged representative: the Spark 3.3, 4.0, 4.1
 * and 4.2 profiles run it.
 */
@Tag("spark-representative")
class SparkLocalIT {

    @TempDir
    static Path scratch;

    static LocalXRayEndpoint endpoint;
    static ChildJvm.Result run;

    @BeforeAll
    static void runScenarios() {
        endpoint = LocalXRayEndpoint.start();
        run = new SparkDriverLauncher("local[2,2]", scratch, endpoint)
                .ending(SparkScenarioJob.Ending.EXIT).run();
    }

    @AfterAll
    static void stopEndpoint() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void everyScenarioRanAndTheDriverExitedCleanly() {
        run.assertExitCode(0);
        for (String scenario : SparkScenarioJob.SCENARIOS) {
            assertThat(run.output()).contains("scenario " + scenario + " ");
        }
        assertThat(run.output()).contains("scenario failing-action failed-as-planned").contains("ending EXIT");
    }

    @Test
    void oneSubsegmentPerActionNamedByItsCallSite() {
        Trace trace = SparkTraces.driverTrace(endpoint);
        assertThat(SparkTraces.actionNames(trace)).as(trace.render())
                .containsExactlyElementsOf(SparkTraces.EXPECTED_ACTIONS);
        SparkTraces.assertNamedByCallSite(trace, "SparkScenarioJob.java");
    }

    @Test
    void everyActionHoldsItsJobsAndStagesAndTheTraceIsValid() {
        endpoint.assertNoViolations();
        Trace trace = SparkTraces.driverTrace(endpoint);
        for (TraceNode action : SparkTraces.actions(trace)) {
            List<TraceNode> jobs = action.children().stream().filter(n -> n.name().startsWith("job ")).toList();
            assertThat(jobs).as(action.render()).isNotEmpty();
            assertThat(jobs).allSatisfy(job -> assertThat(job.children()).as(job.render())
                    .anySatisfy(stage -> assertThat(stage.name()).startsWith("stage ")));
        }
        // Spark's own phases: the session's start holds the context's; the session builds its state on first use.
        assertThat(SparkTraces.phases(trace)).startsWith("JVM start-up", "SparkSession start")
                .endsWith("SparkContext stop");
        assertThat(trace.root().child("SparkSession start").child("SparkContext start")
                .metadata("spark", "master").asText()).isEqualTo("local[2,2]");
        assertThat(trace.root().descendants("SparkSession state")).isNotEmpty();
        assertThat(trace.root().annotation("spark_app_name").asText()).isEqualTo("xray-spark-scenarios");
    }

    @Test
    void aGlueDynamicFrameWriteIsOneActionHoldingBothItsJobs() {
        TraceNode write = action("glue-write-dynamic-frame");
        assertThat(write.name()).startsWith("writeDynamicFrame at SparkScenarioJob.java:");
        assertThat(write.metadata("spark", "call_site").asText()).startsWith("writeDynamicFrame at SparkScenarioJob.java:");
        assertThat(write.children().stream().filter(n -> n.name().startsWith("job "))).as(write.render()).hasSize(2);
    }

    @Test
    void pysparkEntryPointsCalledThroughPy4jAreNamedAsPythonUsersWroteThem() {
        // Py4J's and reflection's frames are skipped: the call site is the caller's line, the name PySpark's.
        assertThat(action("pyspark-show").metadata("spark", "call_site").asText())
                .startsWith("showString at SparkScenarioJob.java:");
        assertThat(action("pyspark-collect").metadata("spark", "call_site").asText())
                .startsWith("collectToPython at SparkScenarioJob.java:");
    }

    private static TraceNode action(String scenario) {
        return SparkTraces.actions(SparkTraces.driverTrace(endpoint)).get(SparkScenarioJob.SCENARIOS.indexOf(scenario));
    }

    @Test
    void theTraceExplainsTheWholeRunWithNoGapOverASecond() {
        Trace trace = SparkTraces.driverTrace(endpoint);
        assertThat(trace.root().uncoveredGaps(1.0)).as(trace.render()).isEmpty();
    }

    @Test
    void theFailingActionIsAFaultWithItsJobAndStageAndTheRetriedTaskShows() {
        List<TraceNode> actions = SparkTraces.actions(SparkTraces.driverTrace(endpoint));
        TraceNode retried = actions.get(SparkScenarioJob.SCENARIOS.indexOf("retried-task"));
        TraceNode failing = actions.get(SparkScenarioJob.SCENARIOS.indexOf("failing-action"));

        assertThat(retried.hasFailed()).as(retried.render()).isFalse();
        assertThat(failedDescendants(retried, "task ")).as(retried.render()).isNotEmpty();

        assertThat(failing.hasFailed()).as(failing.render()).isTrue();
        assertThat(failedDescendants(failing, "job ")).as(failing.render()).isNotEmpty();
        assertThat(failedDescendants(failing, "stage ")).as(failing.render()).isNotEmpty();
    }

    @Test
    void stagesThatRanCarryTaskSummaryAndMetricsAndReusedOnesShowAsSkipped() {
        TraceNode count = SparkTraces.actions(SparkTraces.driverTrace(endpoint)).get(0);
        List<TraceNode> stages = count.descendants().stream()
                .filter(n -> n.name().startsWith("stage ") && !n.name().contains(" on executor "))
                .toList();
        List<TraceNode> ran = stages.stream().filter(n -> n.metadata("spark", "skipped").isMissingNode()).toList();
        assertThat(ran).as(count.render()).isNotEmpty();
        assertThat(ran).allSatisfy(stage ->
                assertThat(stage.metadata("spark", "tasks").path("succeeded").asInt()).isPositive());
        // count's first stage writes one partial count per partition to the shuffle.
        assertThat(ran).anySatisfy(stage ->
                assertThat(stage.metadata("spark", "metrics").path("shuffle_write_records").asLong()).isPositive());
        // With AQE, count's second job lists the map stage the first job already ran: Spark skips it.
        assertThat(stages).as(count.render())
                .anySatisfy(stage -> assertThat(stage.metadata("spark", "skipped").asBoolean()).isTrue());
    }

    private static List<TraceNode> failedDescendants(TraceNode node, String namePrefix) {
        return node.descendants().stream().filter(n -> n.name().startsWith(namePrefix) && n.hasFailed()).toList();
    }
}
