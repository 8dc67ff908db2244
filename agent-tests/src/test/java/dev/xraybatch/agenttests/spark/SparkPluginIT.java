package dev.xraybatch.agenttests.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * The Glue route: {@code spark.plugins=dev.xraybatch.agent.spark.XRaySparkPlugin} with the agent jar only on the
 * class path, no {@code -javaagent} anywhere it is not said. Two contexts run {@link SparkScenarioJob}:
 * <ul>
 *   <li>{@code local[2,2]}, plugin only: the driver installs the agent at run time, with its settings from
 *       {@code spark.xraybatch.*} confs and from a file named by an {@code s3://} URL and shipped to the working
 *       directory (as {@code --files} does), and the Glue job identity from Glue's confs;</li>
 *   <li>{@code local-cluster[2,1,1024]}: the driver has {@code -javaagent} AND the plugin (it must not start twice),
 *       the executor JVMs have only the jar on their class path (the plugin installs the agent there; they
 *       send their stage summaries into the driver's trace and no trace of their own).</li>
 * </ul>
 * Both must give the trace the {@code -javaagent} route gives (SparkLocalIT): one subsegment per action with its
 * jobs and stages, the context's start and stop phases, and executor summaries from other JVMs.
 */
class SparkPluginIT {
    private static final String PLUGIN = "dev.xraybatch.agent.spark.XRaySparkPlugin";
    private static final String CONFIG_URL = "s3://xray-batch-test-bucket/conf/xray-plugin.yaml";
    private static final String SERVICE_NAME_FROM_FILE = "plugin-route-job";
    private static final String GLUE_JOB_NAME = "glue-plugin-job";
    private static final String GLUE_JOB_RUN_ID = "jr_0123456789abcdef";
    private static final Duration TIMEOUT = Duration.ofMinutes(6);

    @TempDir
    static Path scratch;

    static LocalXRayEndpoint localEndpoint;
    static ChildJvm.Result localRun;
    static LocalXRayEndpoint clusterEndpoint;
    static ChildJvm.Result clusterRun;
    static Path clusterSparkHome;

    @BeforeAll
    static void runBothContexts() throws IOException {
        localEndpoint = LocalXRayEndpoint.start();
        Path local = Files.createDirectories(scratch.resolve("local"));
        // Where --files would have put the file the s3:// URL names.
        Files.writeString(local.resolve("xray-plugin.yaml"), "service_name: " + SERVICE_NAME_FROM_FILE + "\n");
        localRun = driver("local[2,2]", local, localEndpoint)
                .withoutAgent()
                .systemProperty("spark.xraybatch.config", CONFIG_URL)
                // Every task then gets a subsegment: proof that a spark.xraybatch.* conf reached the agent.
                .systemProperty("spark.xraybatch.spark.slow_task_ms", "0")
                .systemProperty("spark.glue.JOB_NAME", GLUE_JOB_NAME)
                .systemProperty("spark.glue.JOB_RUN_ID", GLUE_JOB_RUN_ID)
                .run(TIMEOUT);

        clusterEndpoint = LocalXRayEndpoint.start();
        Path cluster = Files.createDirectories(scratch.resolve("cluster"));
        clusterSparkHome = cluster.resolve("spark-home");
        clusterRun = driver("local-cluster[2,1,1024]", cluster, clusterEndpoint)
                // Executors start from the same class path, agent jar included, and no -javaagent.
                .systemProperty("spark.executorEnv.SPARK_SCALA_VERSION",
                        System.getProperty("spark.scala.binary.version"))
                .systemProperty("spark.executorEnv.SPARK_SQL_TESTING", "1")
                .systemProperty("spark.executor.extraClassPath", SparkDriverLauncher.classPathWithAgentJar())
                .systemProperty("spark.glue.JOB_NAME", GLUE_JOB_NAME)
                .run(TIMEOUT);
    }

    @AfterAll
    static void stopEndpoints() {
        Stream.of(localEndpoint, clusterEndpoint).filter(e -> e != null).forEach(LocalXRayEndpoint::close);
    }

    // ------------------------------------------------------------------ local[2,2], plugin only

    @Test
    void pluginOnlyDriverRanEveryScenarioWithoutJavaagent() {
        localRun.assertExitCode(0);
        assertThat(localRun.command()).noneMatch(arg -> arg.startsWith("-javaagent"));
        for (String scenario : SparkScenarioJob.SCENARIOS) {
            assertThat(localRun.output()).contains("scenario " + scenario + " ");
        }
        assertThat(localRun.stderr()).doesNotContain("could not instrument").doesNotContain("internal error");
    }

    @Test
    void pluginOnlyDriverGivesTheJavaagentTrace() {
        localEndpoint.assertNoViolations();
        Trace trace = SparkTraces.driverTrace(localEndpoint);
        assertThat(SparkTraces.actionNames(trace)).as(trace.render())
                .containsExactlyElementsOf(SparkTraces.EXPECTED_ACTIONS);
        assertEveryActionHasJobsWithStages(trace);
        assertThat(SparkTraces.phases(trace)).startsWith("JVM start-up", "SparkContext start")
                .endsWith("SparkContext stop");
        // Opened by the plugin (the constructor was already running), closed with the context's facts.
        TraceNode start = trace.root().child("SparkContext start");
        assertThat(start.metadata("spark", "master").asText()).as(start.render()).isEqualTo("local[2,2]");
        // Until the plugin attached the agent, the JVM's start; after it, phases, actions and sampled driver code.
        assertThat(trace.root().child("JVM start-up").metadata("xray_batch", "agent_attached_at_run_time")
                .asBoolean()).isTrue();
        assertThat(trace.root().uncoveredGaps(1.0)).as(trace.render()).isEmpty();
    }

    @Test
    void pluginOnlyDriverTakesItsSettingsFromSparkConfsAndTheShippedFileAndGlueIdentityFromGlueConfs() {
        Trace trace = SparkTraces.driverTrace(localEndpoint);
        assertThat(trace.root().name()).isEqualTo(SERVICE_NAME_FROM_FILE);
        assertThat(trace.root().annotation("glue_job_name").asText()).isEqualTo(GLUE_JOB_NAME);
        assertThat(trace.root().annotation("glue_job_run_id").asText()).isEqualTo(GLUE_JOB_RUN_ID);
        TraceNode count = SparkTraces.actions(trace).get(0);
        // With the default threshold (10 s) no task of this job would get a subsegment.
        assertThat(count.descendants().stream()
                .filter(n -> n.name().startsWith("task ") && !n.hasFailed())).as(count.render()).isNotEmpty();
    }

    // ------------------------------------------------------------------ local-cluster, plugin on executors

    @Test
    void javaagentDriverWithThePluginStartsTheAgentOnce() {
        clusterRun.assertExitCode(0);
        for (String scenario : SparkScenarioJob.SCENARIOS) {
            assertThat(clusterRun.output()).contains("scenario " + scenario + " ");
        }
        assertThat(Pattern.compile(Pattern.quote("[xray-batch-agent] tracing '")).matcher(clusterRun.stderr())
                .results().count()).as(clusterRun.stderr()).isEqualTo(1);

        clusterEndpoint.assertNoViolations();
        Trace trace = SparkTraces.driverTrace(clusterEndpoint);
        assertThat(SparkTraces.actionNames(trace)).as(trace.render())
                .containsExactlyElementsOf(SparkTraces.EXPECTED_ACTIONS);
        assertThat(trace.root().descendants("SparkContext start")).hasSize(1);
        assertEveryActionHasJobsWithStages(trace);
    }

    @Test
    void executorsWithOnlyTheJarOnTheirClassPathSendStageSummariesIntoTheDriversTrace() throws IOException {
        assertThat(executorStderr()).as("executor logs under " + clusterSparkHome).hasSize(2)
                .allSatisfy(log -> assertThat(Files.readString(log)).contains("[xray-batch-agent] tracing '")
                        .doesNotContain("could not install the agent"));

        Trace trace = SparkTraces.driverTrace(clusterEndpoint);
        TraceNode count = SparkTraces.actions(trace).get(0);
        List<TraceNode> summaries = count.descendants().stream()
                .filter(n -> n.name().matches("stage \\d+ on executor \\d+"))
                .toList();
        assertThat(summaries).as(count.render()).isNotEmpty();
        assertThat(summaries).allSatisfy(summary ->
                assertThat(summary.metadata("spark", "executor_tasks").path("tasks").asInt()).isPositive());
        Matcher executors = Pattern.compile("on executor (\\d+)").matcher(trace.render());
        assertThat(executors.results().map(m -> m.group(1)).distinct().count())
                .as("executor JVMs that reported").isEqualTo(2);
    }

    @Test
    void executorsSendNoTraceOfTheirOwnOnlyTheirSummariesUnderTheDriversStages() {
        Trace trace = SparkTraces.driverTrace(clusterEndpoint);
        assertThat(clusterEndpoint.traceIds()).as("executor JVMs add no trace of their own")
                .containsExactly(trace.traceId());
        List<TraceNode> summaries = trace.nodes().stream()
                .filter(n -> n.name().matches("stage \\d+ on executor \\d+"))
                .toList();
        assertThat(summaries).isNotEmpty().allSatisfy(summary -> {
            TraceNode stage = summary.parent().orElseThrow();
            assertThat(stage.name()).as(trace.render()).startsWith("stage ");
            assertThat(stage.metadata("spark", "stage_id")).isEqualTo(summary.metadata("spark", "stage_id"));
        });
    }

    // ------------------------------------------------------------------ helpers

    private static ChildJvm driver(String master, Path directory, LocalXRayEndpoint endpoint) {
        return SparkDriverLauncher.sparkDriver(SparkScenarioJob.class,
                        "spark-plugin-" + master.replaceAll("[^a-z0-9]+", "-"), directory, endpoint)
                .classPath(SparkDriverLauncher.classPathWithAgentJar())
                .systemProperty("spark.plugins", PLUGIN)
                .args(master, directory.toString());
    }

    private static void assertEveryActionHasJobsWithStages(Trace trace) {
        for (TraceNode action : SparkTraces.actions(trace)) {
            List<TraceNode> jobs = action.children().stream().filter(n -> n.name().startsWith("job ")).toList();
            assertThat(jobs).as(action.render()).isNotEmpty();
            assertThat(jobs).allSatisfy(job -> assertThat(job.children()).as(job.render())
                    .anySatisfy(stage -> assertThat(stage.name()).startsWith("stage ")));
        }
    }

    /** The stderr file of each executor JVM: {@code $SPARK_HOME/work/<app id>/<executor id>/stderr}. */
    private static List<Path> executorStderr() {
        try (Stream<Path> files = Files.walk(clusterSparkHome.resolve("work"))) {
            return files.filter(p -> p.getFileName().toString().equals("stderr")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
