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

    @Test
    void theRootIsCoveredByNamedStretches() {
        assertThat(root.uncoveredGaps(1.0)).as(trace.render()).isEmpty();
        assertThat(root.coveredShare()).as(trace.render() + root.uncoveredGaps(0.02)).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void springsStartUpIsNamedAfterItsPhases() {
        assertThat(rootChildren()).as(trace.render())
                .containsSubsequence("JVM start-up", "Spring context refresh", "Flyway migration")
                .doesNotContain("JarLauncher.main", "SpringApplication.run");
    }

    @Test
    void theJobsOwnProcessorAndTaskletAreNamedAfterTheirMethods() {
        assertThat(rootChildren()).as(trace.render())
                .containsSubsequence("Flyway migration", "OrderScorer.process", "ReportTasklet.publish: sleeping");
        TraceNode scorer = root.children("OrderScorer.process").get(0);
        assertThat(scorer.metadata("gaps", "places").fieldNames().next())
                .startsWith(JOB + "OrderScorer.process(OrderScorer.java:");
    }

    @Test
    void theJobsStatementsAreTracedInTheirPlace() {
        List<TraceNode> statements = trace.nodes().stream().filter(n -> !n.get("sql").isMissingNode())
                .collect(Collectors.toList());
        List<String> queries = statements.stream().map(n -> n.get("sql").path("sanitized_query").asText())
                .collect(Collectors.toList());
        assertThat(queries).as(trace.render())
                .anyMatch(q -> q.startsWith("SELECT id, amount FROM orders"))
                .anyMatch(q -> q.startsWith("UPDATE orders SET score"))
                .anyMatch(q -> q.startsWith("SELECT SUM(score) FROM orders"));
    }
}
