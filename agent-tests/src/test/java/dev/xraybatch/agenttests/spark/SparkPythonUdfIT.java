package dev.xraybatch.agenttests.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.TraceNode;

/**
 * Python UDFs on executors ({@link SparkPythonUdfJob}, {@code local[2]}): the time tasks spend in Python, with
 * Spark's row counts and the UDF names, in the per-stage executor summary, and as a {@code python udf}
 * subsegment of a failed task. Spark's JVM side is real Spark 3.5; the Python worker is a stand-in
 * ({@code xray_fake_pyspark_worker.py}) because pyspark cannot be installed here. Not tagged
 * spark-representative: it runs in the default Spark 3.5 line only (the job builds its UDFs with 3.5's
 * constructors).
 */
class SparkPythonUdfIT {

    private static final String SUMMARY_NAME = "stage \\d+ on executor driver";

    @TempDir
    static Path scratch;

    static LocalXRayEndpoint endpoint;
    static ChildJvm.Result run;

    @BeforeAll
    static void runJob() throws URISyntaxException {
        endpoint = LocalXRayEndpoint.start();
        Path workerDirectory = Paths.get(SparkPythonUdfIT.class.getResource("/xray_fake_pyspark_worker.py").toURI())
                .getParent();
        run = SparkDriverLauncher.sparkDriver(SparkPythonUdfJob.class, "spark-python-udf", scratch, endpoint)
                .args(scratch.toString(), "python3", workerDirectory.toString())
                .run(Duration.ofMinutes(4));
    }

    @AfterAll
    static void stopEndpoint() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void theUdfsRanThroughSparksPythonRunner() {
        run.assertExitCode(0);
        assertThat(run.output()).contains("scenario python-udf ok")
                .contains("scenario python-udf-failing failed-as-planned");
    }

    @Test
    void theStageSummaryCountsPythonTimeRowsAndUdfPerTask() {
        endpoint.assertNoViolations();
        TraceNode action = actions().get(0);
        List<JsonNode> python = action.descendants().stream()
                .filter(n -> n.name().matches(SUMMARY_NAME))
                .map(n -> n.metadata("spark", "python"))
                .filter(p -> !p.isMissingNode())
                .collect(Collectors.toList());
        assertThat(python).as(action.render()).isNotEmpty();
        assertThat(python.stream().mapToInt(p -> p.path("tasks").asInt()).sum()).as(action.render())
                .isEqualTo(SparkPythonUdfJob.PARTITIONS);
        // Spark's own pythonNumRowsReceived metric, summed over the tasks.
        assertThat(python.stream().mapToLong(p -> p.path("rows_out").asLong()).sum()).as(action.render())
                .isEqualTo(SparkPythonUdfJob.ROWS);
        // BatchEvalPythonExec sends at most 100 rows per batch; each batch comes back as one.
        assertThat(python.stream().mapToLong(p -> p.path("batches").asLong()).sum()).as(action.render())
                .isGreaterThanOrEqualTo(SparkPythonUdfJob.ROWS / 100);
        assertThat(python).allSatisfy(p -> {
            assertThat(p.path("udfs").toString()).contains("\"xray_upper\"");
            assertThat(p.path("total_ms").isIntegralNumber()).as(p.toString()).isTrue();
            assertThat(p.path("slowest_partition").asInt()).isBetween(0, SparkPythonUdfJob.PARTITIONS - 1);
        });
    }

    @Test
    void theFailedTaskHoldsItsPythonUdfSubsegment() {
        TraceNode failing = actions().get(1);
        assertThat(failing.hasFailed()).as(failing.render()).isTrue();
        List<TraceNode> failedTasks = failing.descendants().stream()
                .filter(n -> n.name().startsWith("task ") && n.hasFailed())
                .collect(Collectors.toList());
        assertThat(failedTasks).as(failing.render()).isNotEmpty();
        // The task whose partition holds the failing argument raised in Python: its Python work shows.
        assertThat(failedTasks).as(failing.render()).anySatisfy(task -> {
            TraceNode python = task.child("python udf");
            JsonNode values = python.metadata("spark", "python");
            assertThat(values.path("udfs").toString()).contains("\"xray_upper_failing\"");
            assertThat(values.path("evaluations").asInt()).isEqualTo(1);
            assertThat(values.path("python_ms").isIntegralNumber()).isTrue();
            assertThat(values.path("rows_out").isIntegralNumber()).isTrue();
        });
    }

    private static List<TraceNode> actions() {
        List<TraceNode> actions = SparkTraces.actions(SparkTraces.driverTrace(endpoint));
        assertThat(actions).extracting(TraceNode::name).containsExactly("collectAsList", "collectAsList");
        return actions;
    }
}
