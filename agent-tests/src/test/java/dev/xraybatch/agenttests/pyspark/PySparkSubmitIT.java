package dev.xraybatch.agenttests.pyspark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.PySpark;
import dev.xraybatch.testsupport.PySparkTraces;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;

/**
 * Real PySpark jobs through {@code spark-submit} with the agent on the driver (the route of Glue, EMR and
 * spark-submit: the JVM's PythonRunner starts the Python program), {@code local[2]}, the jobs unchanged: the
 * agent puts its Python module on the driver's path itself. Two runs, one context each: a job that uses the
 * common APIs, and one whose Python UDF raises.
 */
class PySparkSubmitIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    @TempDir
    static Path scratch;

    static LocalXRayEndpoint endpoint;
    static ChildJvm.Result scenarios;
    static ChildJvm.Result failing;

    @BeforeAll
    static void runJobs() {
        endpoint = LocalXRayEndpoint.start();
        List<String> agent = new ArrayList<>(PySpark.agentOnTheDriver());
        agent.addAll(List.of("--driver-class-path", TestJobs.glueStandInClasses()));
        scenarios = PySpark.submit(TestJobs.job("scenarios_job.py"), "local[2]", scratch, endpoint, agent,
                scratch.resolve("out").toString()).run(TIMEOUT);
        failing = PySpark.submit(TestJobs.job("failing_job.py"), "local[2]", scratch, endpoint, agent).run(TIMEOUT);
    }

    @AfterAll
    static void stopEndpoint() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void oneActionPerPySparkCallNamedByItsPythonLineAsTheSparkUiNamesIt() {
        scenarios.assertExitCode(0);
        Trace trace = PySparkTraces.trace(endpoint, "pyspark-scenarios");
        assertThat(PySparkTraces.actionNames(trace)).as(trace.render())
                .containsExactlyElementsOf(TestJobs.expectedActions(TestJobs.job("scenarios_job.py")));
        // The bare action stays searchable.
        TraceNode first = PySparkTraces.actions(trace).get(0);
        assertThat(first.annotation("spark_action").asText()).isEqualTo("count");
        assertThat(first.metadata("spark", "python_stack").asText()).contains("scenarios_job.py:");
        endpoint.assertNoViolations();
    }

    @Test
    void theTraceIsWholeAndHonest() {
        Trace trace = PySparkTraces.trace(endpoint, "pyspark-scenarios");
        PySparkTraces.assertWholeAndHonest(trace);
        List<String> top = trace.root().children().stream().map(TraceNode::name).collect(Collectors.toList());
        assertThat(top).as(trace.render()).startsWith("JVM start-up", "Python driver start");
        assertThat(top).as(trace.render()).contains("SparkContext start", "SparkContext stop").endsWith("JVM shut-down");
    }

    @Test
    void aForeachOverASortedDataFrameIsOneActionHoldingTheSortsSamplingAndMapStageJobs() {
        Trace trace = PySparkTraces.trace(endpoint, "pyspark-scenarios");
        TraceNode foreach = PySparkTraces.actions(trace).stream().filter(a -> a.name().startsWith("foreach at "))
                .findFirst().orElseThrow();
        // The range partitioner's sampling job, AQE's map stage, and the foreach itself.
        assertThat(foreach.children().stream().filter(n -> n.name().startsWith("job "))).as(foreach.render())
                .hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void theJobsOwnStepAnnotationAndMetadataAreInTheTrace() {
        scenarios.assertExitCode(0);
        Trace trace = PySparkTraces.trace(endpoint, "pyspark-scenarios");
        TraceNode step = trace.root().child("add_unique_ids");
        assertThat(step.children()).extracting(TraceNode::name).as(step.render())
                .anySatisfy(name -> assertThat(name).startsWith("count at scenarios_job.py:"));
        assertThat(step.annotation("rows").asLong()).isEqualTo(20000L);
        assertThat(step.metadata("default", "sizes").path("partitions").asInt()).isEqualTo(4);
        // trace_id() for the job's log lines.
        assertThat(scenarios.stdout()).contains("trace id " + trace.traceId());
    }

    @Test
    void pythonUdfTimeIsInTheStageSummariesFromRealPythonWorkers() {
        Trace trace = PySparkTraces.trace(endpoint, "pyspark-scenarios");
        List<JsonNode> python = trace.root().descendants().stream()
                .filter(n -> n.name().matches("stage \\d+ on executor driver"))
                .map(n -> n.metadata("spark", "python")).filter(p -> !p.isMissingNode())
                .collect(Collectors.toList());
        assertThat(python).as(trace.render()).isNotEmpty();
        assertThat(python).anySatisfy(p -> {
            assertThat(p.path("udfs").toString()).contains("random_uuid");
            assertThat(p.path("total_ms").asDouble()).isPositive();
            // Spark's own pythonNumRowsReceived metric: each of the 4 partitions' tasks turned all its rows.
            assertThat(p.path("rows_out").asLong()).isEqualTo(20000L);
            assertThat(p.path("tasks").asInt()).isEqualTo(4);
            assertThat(p.path("slowest_partition").asInt()).isBetween(0, 3);
        });
    }

    @Test
    void theTaskWhoseUdfRaisedHoldsItsPythonUdfSubsegmentAndThePythonTraceback() {
        Trace trace = PySparkTraces.trace(endpoint, "pyspark-failing");
        TraceNode collect = PySparkTraces.actions(trace).get(1);
        List<TraceNode> failedTasks = collect.descendants().stream()
                .filter(n -> n.name().startsWith("task ") && n.hasFailed()).collect(Collectors.toList());
        assertThat(failedTasks).as(collect.render()).isNotEmpty();
        assertThat(failedTasks).anySatisfy(task -> {
            JsonNode python = task.child("python udf").metadata("spark", "python");
            assertThat(python.path("udfs").toString()).contains("checked");
            assertThat(python.path("evaluations").asInt()).isEqualTo(1);
            assertThat(PySparkTraces.firstException(task).path("message").asText()).contains("bad record 7");
        });
    }

    @Test
    void theRootIsTheSparkApplicationNotTheLauncher() {
        Trace trace = PySparkTraces.trace(endpoint, "pyspark-scenarios");
        assertThat(trace.root().hasFailed()).isFalse();
        assertThat(trace.root().annotation("exit_code").asInt()).isZero();
        assertThat(endpoint.traces()).extracting(t -> t.root().name()).doesNotContain("SparkSubmit");
    }

    @Test
    void aFailedPythonProgramIsAFaultCarryingThePythonExceptionAndItsStack() {
        failing.assertExitCode(1);
        Trace trace = PySparkTraces.trace(endpoint, "pyspark-failing");
        TraceNode root = trace.root();
        assertThat(root.hasFailed()).as(trace.render()).isTrue();
        JsonNode exception = PySparkTraces.firstException(root);
        assertThat(exception.path("type").asText()).endsWith("PythonException");
        assertThat(exception.path("message").asText()).contains("ValueError").contains("bad record 7");
        List<String> frames = exception.path("stack").findValuesAsText("path");
        assertThat(frames).as(exception.toString()).anySatisfy(path -> assertThat(path).endsWith("failing_job.py"));
        PySparkTraces.assertWholeAndHonest(trace);
    }

    @Test
    void theActionThatFailedIsAFaultWithThePythonErrorAndTheJavaOneBehindIt() {
        Trace trace = PySparkTraces.trace(endpoint, "pyspark-failing");
        assertThat(PySparkTraces.actionNames(trace))
                .containsExactlyElementsOf(TestJobs.expectedActions(TestJobs.job("failing_job.py")));
        TraceNode collect = PySparkTraces.actions(trace).get(1);
        assertThat(collect.hasFailed()).as(collect.render()).isTrue();
        JsonNode python = PySparkTraces.firstException(collect);
        assertThat(python.path("type").asText()).endsWith("PythonException");
        String javaId = python.path("cause").asText();
        assertThat(javaId).as("the Java exception behind the Python one: " + collect.json()).isNotEmpty();
        // The failed job and stage beneath it are faults too.
        assertThat(collect.descendants().stream().filter(n -> n.name().startsWith("job ") && n.hasFailed()))
                .as(collect.render()).isNotEmpty();
        TraceNode firstAction = PySparkTraces.actions(trace).get(0);
        assertThat(firstAction.hasFailed()).isFalse();
    }
}
