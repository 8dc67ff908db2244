package dev.xraybatch.agenttests.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;

/**
 * The scenario list on {@code local-cluster[2,1,1024]}: two real executor JVMs, each started with the agent, so
 * what executors report travels across processes as it does on EMR or Glue. The driver never stops its context:
 * Spark's own shutdown hook does, and the trace must still be whole.
 */
class SparkLocalClusterIT {
    private static final String SUMMARY_NAME = "stage \\d+ on executor \\d+";

    @TempDir
    static Path scratch;

    static LocalXRayEndpoint endpoint;
    static ChildJvm.Result run;

    /**
     * The executors log with the pattern a user adds for the trace id: Spark copies the driver's local properties
     * that start with {@code mdc.} into each task's log MDC.
     */
    private static final String EXECUTOR_LOG_CONFIG = String.join("\n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.stderr.ref = console",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.target = SYSTEM_ERR",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = %p %c{1} [trace=%X{mdc.AWS-XRAY-TRACE-ID}] %m%n");

    @BeforeAll
    static void runScenarios() throws IOException {
        endpoint = LocalXRayEndpoint.start();
        Path logConfig = Files.writeString(scratch.resolve("executor-log4j2.properties"), EXECUTOR_LOG_CONFIG);
        run = new SparkDriverLauncher("local-cluster[2,1,1024]", scratch, endpoint).agentOnExecutors()
                .executorLogConfig(logConfig)
                .ending(SparkScenarioJob.Ending.NO_STOP).run();
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
        assertThat(run.output()).contains("ending NO_STOP");
    }

    @Test
    void withoutStopEveryActionStillHoldsItsJobsAndStagesAndTheContextsStop() {
        endpoint.assertNoViolations();
        Trace trace = SparkTraces.driverTrace(endpoint);
        assertThat(SparkTraces.actionNames(trace)).as(trace.render())
                .containsExactlyElementsOf(SparkTraces.EXPECTED_ACTIONS);
        for (TraceNode action : SparkTraces.actions(trace)) {
            List<TraceNode> jobs = action.children().stream().filter(n -> n.name().startsWith("job ")).toList();
            assertThat(jobs).as(action.render()).isNotEmpty()
                    .allSatisfy(job -> assertThat(job.children()).as(job.render())
                            .anySatisfy(stage -> assertThat(stage.name()).startsWith("stage ")));
        }
        // Spark's shutdown hook stopped the context, before the agent's exit flush.
        assertThat(SparkTraces.phases(trace)).endsWith("SparkContext stop");
    }

    @Test
    void executorLogLinesOfTasksCarryTheTraceId() throws IOException {
        String traceId = SparkTraces.driverTrace(endpoint).traceId();
        List<String> taskLines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(scratch.resolve("spark-home").resolve("work"))) {
            for (Path stderr : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
                Files.readAllLines(stderr).stream().filter(line -> line.contains(" Running task ")).forEach(taskLines::add);
            }
        }
        assertThat(taskLines).as("executors' 'Running task' lines").isNotEmpty()
                .allSatisfy(line -> assertThat(line).contains("[trace=" + traceId + "]"));
    }

    @Test
    void theTraceExplainsTheWholeRunWithNoGapOverASecond() {
        Trace trace = SparkTraces.driverTrace(endpoint);
        assertThat(trace.root().uncoveredGaps(1.0)).as(trace.render()).isEmpty();
    }

    @Test
    void executorsSendNoTraceOfTheirOwnButStageSummariesUnderTheDriversStages() {
        Trace trace = SparkTraces.driverTrace(endpoint);
        assertThat(endpoint.traces()).as("executors report into the driver's trace, with no root of their own")
                .hasSize(1);
        assertThat(trace.roots()).as("every document's parent arrived").hasSize(1);

        List<TraceNode> summaries = executorSummaries(trace);
        assertThat(summaries).as(trace.render()).isNotEmpty().allSatisfy(summary -> {
            TraceNode stage = summary.parent().orElseThrow();
            assertThat(stage.metadata("spark", "stage_id")).isEqualTo(summary.metadata("spark", "stage_id"));
            assertThat(stage.metadata("spark", "stage_attempt"))
                    .isEqualTo(summary.metadata("spark", "stage_attempt"));
            assertThat(stage.parent().orElseThrow().name()).startsWith("job ");
            assertThat(summary.metadata("spark", "executor_tasks").path("tasks").asInt()).isPositive();
        });
        assertThat(summaries.stream().map(n -> n.metadata("spark", "executor_id").asText()).distinct())
                .as("executor JVMs that reported").containsExactlyInAnyOrder("0", "1");
        for (TraceNode action : SparkTraces.actions(trace)) {
            assertThat(executorSummaries(action)).as(action.render()).isNotEmpty();
        }
    }

    @Test
    void everyTaskOfAStageIsCountedByTheExecutorsThatRanItAndFailedTasksShowBeneathThem() {
        Trace trace = SparkTraces.driverTrace(endpoint);
        List<TraceNode> cleanStages = trace.nodes().stream()
                .filter(n -> n.name().matches("stage \\d+") && !n.hasFailed()
                        && n.metadata("spark", "failed_tasks").isMissingNode()
                        && n.metadata("spark", "skipped").isMissingNode())
                .toList();
        assertThat(cleanStages).isNotEmpty().allSatisfy(stage -> assertThat(executorSummaries(stage).stream()
                .mapToInt(s -> s.metadata("spark", "executor_tasks").path("tasks").asInt()).sum())
                .as(stage.render()).isEqualTo(stage.metadata("spark", "tasks").path("succeeded").asInt()));

        TraceNode failing = SparkTraces.actions(trace).get(SparkScenarioJob.SCENARIOS.indexOf("failing-action"));
        assertThat(executorSummaries(failing).stream().flatMap(s -> s.children().stream()))
                .as(failing.render())
                .anySatisfy(task -> assertThat(task.name()).startsWith("task "))
                .allSatisfy(task -> assertThat(task.hasFailed()).isTrue());
    }

    private static List<TraceNode> executorSummaries(Trace trace) {
        return trace.nodes().stream().filter(n -> n.name().matches(SUMMARY_NAME)).toList();
    }

    private static List<TraceNode> executorSummaries(TraceNode under) {
        return under.descendants().stream().filter(n -> n.name().matches(SUMMARY_NAME)).toList();
    }
}
