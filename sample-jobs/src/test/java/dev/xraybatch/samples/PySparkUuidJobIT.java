package dev.xraybatch.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The PySpark sample ({@code src/main/pyspark/uuid_job.py}) as the guide runs it: real PySpark 3.5.2, {@code
 * spark-submit --master local[2]} with the agent on the driver ({@code spark.driver.extraJavaOptions}), the job
 * unchanged, sending to the local X-Ray endpoint. 20,000 rows and 4 shuffle partitions keep it short; the trace
 * has the shape of the guide's 2M-row waterfall.
 */
class PySparkUuidJobIT {
    private static final Path JOB = SampleRuns.REPOSITORY.resolve("sample-jobs/src/main/pyspark/uuid_job.py");
    private static final long ROWS = 20_000L;

    @TempDir
    static Path scratch;

    static LocalXRayEndpoint endpoint;
    static ChildJvm.Result run;

    @BeforeAll
    static void runTheJob() {
        endpoint = LocalXRayEndpoint.start();
        List<String> confs = new ArrayList<>(PySpark.agentOnTheDriver());
        // Spark's default of 200 shuffle partitions is meant for clusters; four keep this run short.
        confs.addAll(List.of("--conf", "spark.sql.shuffle.partitions=4", "--conf", "spark.ui.enabled=false"));
        run = PySpark.submit(JOB, "local[2]", scratch, endpoint, confs, Long.toString(ROWS))
                .run(SampleRuns.RUN_TIMEOUT);
    }

    @AfterAll
    static void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    private static Trace trace() {
        return PySparkTraces.trace(endpoint, "uuid-job");
    }

    @Test
    void theJobCountsEveryRowAndLosesNothingOfItsTrace() {
        run.assertExitCode(0);
        // 20,000 random UUIDs start with each of the 16 hex digits.
        assertThat(run.stdout()).contains("counted " + ROWS + " rows sorted by a random UUID, 16 groups");
        assertThat(run.stderr()).contains("rejected 0 documents, dropped 0 documents and 0 unrendered items");
        endpoint.assertNoViolations();
    }

    @Test
    void theStepsGroupTheActionsEachNamedByItsPythonLineAsTheSparkUiNamesIt() throws IOException {
        Trace trace = trace();
        TraceNode root = trace.root();
        List<String> steps = root.children().stream().filter(n -> !n.metadata("python", "step").isMissingNode())
                .map(TraceNode::name).collect(Collectors.toList());
        assertThat(steps).as(trace.render()).containsExactly("add_unique_ids", "sort", "summarize");

        String count = "count at uuid_job.py:" + lineOf("counted = sorted_df.count()");
        String collect = "collect at uuid_job.py:" + lineOf(".count().collect()");
        String show = "show at uuid_job.py:" + lineOf("sorted_df.show(");
        // One action per call the program made, wherever it sits, and none more (no Spark internal, no job alone).
        assertThat(PySparkTraces.actionNames(trace)).as(trace.render()).containsExactly(count, collect, show);
        assertThat(actionsUnder(root.child("sort"))).containsExactly(count);
        assertThat(actionsUnder(root.child("summarize"))).containsExactly(collect, show);
        // Transformations only build the plan: the step that defines the UUID column holds no action.
        TraceNode addIds = root.child("add_unique_ids");
        assertThat(actionsUnder(addIds)).as(addIds.render()).isEmpty();
        assertThat(addIds.annotation("rows").asLong()).isEqualTo(ROWS);
        // The bare action stays searchable, and the action carries the program's own stack.
        TraceNode countNode = root.child("sort").child(count);
        assertThat(countNode.annotation("spark_action").asText()).isEqualTo("count");
        assertThat(countNode.metadata("spark", "python_stack").asText()).contains("uuid_job.py:");
    }

    @Test
    void theUdfsPythonTimeIsInTheSortsStageSummariesOncePerPassOverTheRows() {
        Trace trace = trace();
        TraceNode count = PySparkTraces.actions(trace).get(0);
        List<JsonNode> python = pythonOfStageSummaries(count);
        // The sort reads its input twice, each time running the UDF on every row: once for the range
        // partitioner's sample, once to shuffle the rows.
        assertThat(python).as(count.render()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(python).allSatisfy(p -> {
            assertThat(p.path("udfs").toString()).contains("random_uuid");
            assertThat(p.path("total_ms").asDouble()).isPositive();
            assertThat(p.path("rows_out").asLong()).isEqualTo(ROWS);
        });
        // The summary reads the cached sorted rows: no Python runs for it.
        for (TraceNode action : PySparkTraces.actions(trace).subList(1, 3)) {
            assertThat(pythonOfStageSummaries(action)).as(action.render()).isEmpty();
        }
    }

    @Test
    void theTraceIsWholeAndHonest() {
        Trace trace = trace();
        PySparkTraces.assertWholeAndHonest(trace);
        List<String> top = trace.root().children().stream().map(TraceNode::name).collect(Collectors.toList());
        assertThat(top).as(trace.render()).startsWith("JVM start-up", "Python driver start")
                .contains("SparkContext start", "SparkContext stop").endsWith("JVM shut-down");
        assertThat(trace.root().hasFailed()).isFalse();
        assertThat(trace.root().annotation("exit_code").asInt()).isZero();
        // Executors' summaries hang under the driver's stage they worked for.
        assertThat(trace.root().descendants().stream().filter(n -> n.name().matches("stage \\d+ on executor .+")))
                .isNotEmpty()
                .allSatisfy(s -> assertThat(s.parent().orElseThrow().name()).matches("stage \\d+"));
    }

    private static List<String> actionsUnder(TraceNode node) {
        return node.descendants().stream().filter(n -> !n.metadata("spark", "call_site").isMissingNode())
                .map(TraceNode::name).collect(Collectors.toList());
    }

    private static List<JsonNode> pythonOfStageSummaries(TraceNode action) {
        return action.descendants().stream().filter(n -> n.name().matches("stage \\d+ on executor driver"))
                .map(n -> n.metadata("spark", "python")).filter(p -> !p.isMissingNode())
                .collect(Collectors.toList());
    }

    /** The line number of the one line of the job that holds {@code code}. */
    private static int lineOf(String code) throws IOException {
        List<String> lines = Files.readAllLines(JOB, StandardCharsets.UTF_8);
        int found = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(code)) {
                assertThat(found).as("one line of %s holds %s", JOB, code).isEqualTo(-1);
                found = i + 1;
            }
        }
        assertThat(found).as("a line of %s holds %s", JOB, code).isPositive();
        return found;
    }
}
