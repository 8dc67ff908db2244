package dev.xraybatch.agenttests.gaps;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spring Boot batch job as a new user runs one, with no pointcut: Boot's executable jar (built by
 * {@code spring-boot-job/pom.xml} with Boot's Maven plugin) started with {@code java -jar}, Spring Batch's starter
 * running its two steps at start-up, Flyway filling an H2 database first. Its start-up (context refresh, Flyway) is
 * seconds the root would show unexplained without the agent's sampler; with it, each stretch is named after the
 * framework's phase or the job's own method that ran it, and the root is covered. One run, shared by the tests.
 */
class SpringBootBatchIT {
    private static final String JOB = "dev.xraybatch.springjob.";
    private static LocalXRayEndpoint xray;
    private static ChildJvm.Result result;
    private static Trace trace;
    private static TraceNode root;

    @BeforeAll
    static void runTheJob() throws IOException {
        Path jar = Path.of(System.getProperty("spring.boot.job.jar"));
        assertThat(jar).as("built by spring-boot-job/pom.xml in pre-integration-test").exists();
        xray = LocalXRayEndpoint.start();
        result = ChildJvm.jar(jar).name("spring-boot-batch").xray(xray)
                .env("XRAY_BATCH_SHUTDOWN_DEADLINE_MS", "60000").run(Duration.ofSeconds(180));
        trace = xray.onlyTrace();
        root = trace.root();
        // The trace as the agent's file output would hold it, for `timeline` (the guide's waterfall).
        Files.write(jar.resolveSibling("trace.jsonl"),
                trace.documents().stream().map(Object::toString).collect(Collectors.toList()));
        System.out.println(trace.render());
    }

    @AfterAll
    static void stopEndpoint() {
        if (xray != null) {
            xray.close();
        }
    }

    private static List<String> rootChildren() {
        return root.children().stream().map(TraceNode::name).collect(Collectors.toList());
    }

    @Test
    void theJobCompletes() {
        result.assertExitCode(0);
        assertThat(result.stdout()).contains("OrdersJob report: total score");
    }

    /**
     * At least 95% of the root covered, and no blank of 100 ms or more in it or in any Spring Batch phase (the
     * sampler's contract: a stretch that long is named, or sent as 'not sampled'). Spring Batch's bookkeeping
     * between the chunk loop's statements comes in blanks of 20 to 45 ms, under the 100 ms a stretch must last:
     * they fall inside the steps, which the agent traces (before it did, a quiet run was 93.8% covered).
     */
    @Test
    void theRootIsCoveredByNamedStretches() {
        System.out.printf("spring boot job: %.1f%% of the root covered; blanks of 20 ms or more: %s%n",
                100 * root.coveredShare(), root.uncoveredGaps(0.02));
        assertThat(root.uncoveredGaps(0.1)).as(trace.render()).isEmpty();
        assertThat(root.coveredShare()).as(trace.render()).isGreaterThanOrEqualTo(0.95);
        for (TraceNode phase : sampledPhases()) {
            assertThat(phase.uncoveredGaps(0.1)).as("%s%n%s", phase.name(), trace.render()).isEmpty();
        }
    }

    /** The frameworks' phases the agent traces and samples inside: Spring Batch's, Flyway's. */
    private static List<TraceNode> sampledPhases() {
        return root.descendants().stream()
                .filter(n -> n.name().startsWith("Spring Batch ") || n.name().equals("Flyway: migrate"))
                .filter(n -> !n.isSampled()).collect(Collectors.toList());
    }

    /** The launch, the job inside it and its two steps inside the job, with Spring Batch's outcome of each. */
    @Test
    void springBatchsJobAndStepsAreTheTracesPhases() {
        TraceNode launch = root.child("Spring Batch launch: scoreAndReport");
        TraceNode job = launch.child("Spring Batch job: scoreAndReport");
        assertThat(job.childrenNotSampled().stream().map(TraceNode::name).filter(n -> n.startsWith("Spring Batch")))
                .as(trace.render()).containsExactly("Spring Batch step: scoreOrders", "Spring Batch step: publishReport");
        assertThat(job.metadata("spring_batch", "status").asText()).isEqualTo("COMPLETED");
        TraceNode scoring = job.child("Spring Batch step: scoreOrders");
        assertThat(scoring.metadata("spring_batch", "read_count").asInt()).isEqualTo(400);
        assertThat(scoring.metadata("spring_batch", "write_count").asInt()).isEqualTo(400);
        assertThat(scoring.metadata("spring_batch", "exit_code").asText()).isEqualTo("COMPLETED");
        // The chunk loop's statements are the step's, not the root's.
        assertThat(scoring.descendants().stream().filter(n -> n.name().equals("ORDERS")).count())
                .as(trace.render()).isGreaterThan(10);
    }

    /**
     * A sampled stretch explains time nothing else does: none overlaps another of the root's subsegments, such as
     * the pool's {@code connection wait}, which is made once the connection came (after the fact, like the stretches).
     */
    @Test
    void noTimeIsExplainedTwice() {
        List<TraceNode> parents = new java.util.ArrayList<>(sampledPhases());
        parents.add(root);
        for (TraceNode parent : parents) {
            assertNoOverlapWithSampled(parent.children());
        }
    }

    private static void assertNoOverlapWithSampled(List<TraceNode> children) {
        for (TraceNode sampled : children) {
            if (sampled.metadata("gaps", "thread_states").isMissingNode()) {
                continue;
            }
            for (TraceNode other : children) {
                if (other != sampled && !other.name().startsWith("GC pause")) {
                    assertThat(other.startTime() >= sampled.endTime() - 1e-6
                            || other.endTime() <= sampled.startTime() + 1e-6)
                            .as("'%s' overlaps '%s'%n%s", sampled.name(), other.name(), trace.render()).isTrue();
                }
            }
        }
    }

    @Test
    void springsStartUpIsNamedAfterItsPhases() {
        assertThat(rootChildren()).as(trace.render())
                .containsSubsequence("JVM start-up", "Spring context refresh", "Flyway: migrate");
        // Every sampled stretch is a phase of Spring's, Flyway's or the job's own method (its main, its beans'
        // methods Spring calls during the refresh), never Boot's launcher or a library method the stack passed;
        // or, on a machine too busy to run the sampler in time, a stretch it could not sample.
        List<String> stretches = root.descendants().stream()
                .filter(n -> !n.metadata("gaps", "thread_states").isMissingNode()).map(TraceNode::name)
                .collect(Collectors.toList());
        assertThat(stretches).as(trace.render()).allMatch(name -> name.startsWith("Spring ")
                || name.equals("Flyway migration") || name.equals("class loading")
                || name.startsWith("OrdersJob.") || name.startsWith("OrderScorer.process")
                || name.startsWith("ReportTasklet.") || name.equals("not sampled"));
    }

    @Test
    void theJobsOwnProcessorAndTaskletAreNamedAfterTheirMethods() {
        // Sampled inside their steps, which Spring Batch runs them in.
        assertThat(root.descendants().stream().map(TraceNode::name)).as(trace.render())
                .containsSubsequence("Flyway: migrate", "Spring Batch step: scoreOrders", "OrderScorer.process",
                        "Spring Batch step: publishReport", "ReportTasklet.publish: sleeping");
        TraceNode scorer = root.descendants("OrderScorer.process").get(0);
        assertThat(scorer.metadata("gaps", "places").fieldNames().next())
                .startsWith(JOB + "OrderScorer.process(OrderScorer.java:");
        // The closing line offers the processor as a pointcut, for the next run to show it as a step.
        assertThat(result.stderr()).contains("{classes: " + JOB + "OrderScorer, methods: process}");
    }

    /**
     * The agent's JDBC subsegments (beside the sampled stretches, which are made after the fact) in their place:
     * Flyway's migration before the job's steps, each chunk's write after its processing, the report's query
     * before its sleep.
     */
    @Test
    void theJobsStatementsAreTracedInTheirPlace() {
        double flyway = root.child("Flyway: migrate").startTime();
        List<Double> scoring = root.descendants("OrderScorer.process").stream().map(TraceNode::startTime)
                .sorted().collect(Collectors.toList());
        double publishing = root.descendants("ReportTasklet.publish: sleeping").get(0).startTime();

        assertThat(startsOf("CREATE TABLE orders")).as(trace.render()).hasSize(1)
                .allMatch(t -> t >= flyway && t < scoring.get(0));
        assertThat(startsOf("INSERT INTO orders")).as(trace.render()).hasSize(1)
                .allMatch(t -> t >= flyway && t < scoring.get(0));
        List<Double> writes = startsOf("UPDATE orders SET score");
        assertThat(writes).as("one write per chunk of 200 of the 400 orders\n" + trace.render()).hasSize(2);
        double previousWrite = 0;
        for (double write : writes) {
            double after = previousWrite;
            assertThat(scoring).as("the chunk's processing before its write at %s\n%s", write, trace.render())
                    .anyMatch(t -> t >= after && t <= write);
            previousWrite = write;
        }
        assertThat(startsOf("SELECT SUM(score) FROM orders")).as(trace.render()).hasSize(1)
                .allMatch(t -> t > writes.get(1) && t <= publishing);
    }

    /** The start times of the statements whose sanitized text begins with {@code sql}, in order. */
    private static List<Double> startsOf(String sql) {
        return trace.nodes().stream().filter(n -> n.get("sql").path("sanitized_query").asText().startsWith(sql))
                .map(TraceNode::startTime).sorted().collect(Collectors.toList());
    }
}
