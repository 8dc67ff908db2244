package dev.xraybatch.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.xraybatch.samples.sparkuuid.UuidSortJob;
import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.TraceNode;

/**
 * The Spark sample on {@code local[2]}, launched as spark-submit would (Spark's --add-opens list, Spark from this
 * module's test class path, where the `provided` dependency is).
 */
class UuidSortJobIT {
    @TempDir
    static Path scratch;

    static LocalXRayEndpoint endpoint;
    static ChildJvm.Result run;

    @BeforeAll
    static void runTheJob() throws Exception {
        endpoint = LocalXRayEndpoint.start();
        run = ChildJvm.main(UuidSortJob.class).name("uuid-sort")
                .agentArgs("config=" + SampleRuns.pointcutFile("spark-uuid"))
                .xray(endpoint)
                .jvmArgs("-Xmx1g")
                .jvmArgs(JavaModuleOptions.defaultModuleOptions().split(" "))
                .systemProperty("spark.master", "local[2]")
                .systemProperty("spark.ui.enabled", "false")
                // Spark's default of 200 shuffle partitions is meant for clusters; four keep this run short.
                .systemProperty("spark.sql.shuffle.partitions", "4")
                .env("SPARK_LOCAL_IP", "127.0.0.1")
                .env("SPARK_HOME", Files.createDirectories(scratch.resolve("spark-home")).toString())
                .workingDirectory(scratch)
                .run(SampleRuns.RUN_TIMEOUT);
    }

    @AfterAll
    static void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void theJobCountsEveryRow() {
        run.assertExitCode(0);
        assertThat(run.stdout()).contains("counted 100000 rows sorted by a random UUID");
    }

    @Test
    void theCountActionHoldsItsJobsAndStagesAndTheExecutorsSummaries() {
        TraceNode root = SampleRuns.finishedTrace(endpoint).root();
        assertThat(root.name()).isEqualTo("uuid-sort");
        assertThat(root.annotation("spark_app_name").asText()).isEqualTo("uuid-sort");
        // Named as the Spark UI names the job: the action, the job's file and line.
        TraceNode count = root.children().stream().filter(n -> n.name().startsWith("count at UuidSortJob.java:"))
                .findFirst().orElseThrow(() -> new AssertionError(root.render()));
        assertThat(count.annotation("spark_action").asText()).isEqualTo("count");

        List<TraceNode> jobs = count.children().stream().filter(n -> n.name().startsWith("job "))
                .collect(Collectors.toList());
        // The sort's sampling job and the count's jobs.
        assertThat(jobs).as(count.render()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(jobs).allSatisfy(job -> assertThat(job.children()).as(job.render())
                .anySatisfy(stage -> assertThat(stage.name()).startsWith("stage ")));
        // What the executor did sits under the driver's stage it worked for, the UDF's calls inside it.
        TraceNode executorSummary = count.descendants().stream()
                .filter(n -> n.name().matches("stage \\d+ on executor driver")).findFirst().orElseThrow();
        assertThat(executorSummary.parent().orElseThrow().name()).as(count.render()).startsWith("stage ");
        assertThat(count.descendants("UDF random_uuid")).as(count.render()).isNotEmpty();
        endpoint.assertNoViolations();
    }

    @Test
    void theUdfCallsAreAFewSubsegmentsAndOneSummaryPerParent() {
        List<TraceNode> udf = SampleRuns.finishedTrace(endpoint).nodes("UDF random_uuid");
        List<TraceNode> summaries = udf.stream()
                .filter(n -> !n.metadata("xray_batch", "summary").isMissingNode()).collect(Collectors.toList());
        assertThat(summaries).as("UDF summaries").isNotEmpty();
        long summarized = summaries.stream()
                .mapToLong(n -> n.metadata("xray_batch", "summary").path("count").asLong()).sum();
        long single = udf.size() - summaries.size();
        // Every row got its UUID at least once (Spark evaluates the UDF again for the sort's sampling pass).
        assertThat(single + summarized).isGreaterThanOrEqualTo(100_000);
        assertThat(summaries).allSatisfy(s ->
                assertThat(s.metadata("xray_batch", "summary").path("total_ms").asDouble()).isPositive());
    }
}
