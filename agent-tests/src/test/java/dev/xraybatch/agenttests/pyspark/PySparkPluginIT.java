package dev.xraybatch.agenttests.pyspark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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
import dev.xraybatch.testsupport.PySpark;
import dev.xraybatch.testsupport.PySparkTraces;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;

/**
 * The Glue route with real PySpark: no path on the JVM's command line, only {@code --jars} (and
 * {@code --py-files}, Glue's {@code --extra-jars} / {@code --extra-py-files}) naming the agent's jar and the
 * Spark plugin, which installs the agent at run time on the driver and in the two executor JVMs of
 * {@code local-cluster[2,1,1024]}, whose real Python workers run the job's UDF.
 */
class PySparkPluginIT {

    @TempDir
    static Path scratch;

    static LocalXRayEndpoint endpoint;
    static ChildJvm.Result run;

    @BeforeAll
    static void runJob() {
        endpoint = LocalXRayEndpoint.start();
        String jar = PySpark.agentJar();
        List<String> confs = List.of("--jars", jar, "--py-files", jar, "--driver-class-path", TestJobs.glueStandInClasses(),
                "--conf", "spark.plugins=dev.xraybatch.agent.spark.XRaySparkPlugin",
                "--conf", "spark.executor.memory=768m");
        run = PySpark.submit(TestJobs.job("scenarios_job.py"), "local-cluster[2,1,1024]", scratch, endpoint, confs,
                scratch.resolve("out").toString()).run(Duration.ofMinutes(5));
    }

    @AfterAll
    static void stopEndpoint() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void theSameActionsByPythonLineWithOnlyThePluginAndTheJar() {
        run.assertExitCode(0);
        Trace trace = PySparkTraces.trace(endpoint, "pyspark-scenarios");
        assertThat(PySparkTraces.actionNames(trace)).as(trace.render())
                .containsExactlyElementsOf(TestJobs.expectedActions(TestJobs.job("scenarios_job.py")));
        PySparkTraces.assertWholeAndHonest(trace);
        assertThat(endpoint.traces()).as("executors send into the driver's trace, not traces of their own")
                .hasSize(1);
        endpoint.assertNoViolations();
    }

    @Test
    void theExecutorsPythonWorkersTimeIsUnderTheDriversStages() {
        Trace trace = PySparkTraces.trace(endpoint, "pyspark-scenarios");
        List<TraceNode> summaries = trace.root().descendants().stream()
                .filter(n -> n.name().matches("stage \\d+ on executor \\d+")).collect(Collectors.toList());
        assertThat(summaries).as(trace.render()).isNotEmpty();
        assertThat(summaries).allSatisfy(s -> assertThat(s.parent().orElseThrow().name()).startsWith("stage "));
        List<JsonNode> python = summaries.stream().map(s -> s.metadata("spark", "python"))
                .filter(p -> !p.isMissingNode()).collect(Collectors.toList());
        assertThat(python).as(trace.render()).anySatisfy(p -> {
            assertThat(p.path("udfs").toString()).contains("random_uuid");
            assertThat(p.path("total_ms").asDouble()).isPositive();
        });
    }
}
