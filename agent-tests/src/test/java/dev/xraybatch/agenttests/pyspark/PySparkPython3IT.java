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

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.PySpark;
import dev.xraybatch.testsupport.PySparkTraces;
import dev.xraybatch.testsupport.Trace;

/**
 * {@code python3 job.py}: Python starts the JVM (notebooks, local runs), the agent rides on the driver through
 * {@code spark.driver.extraJavaOptions} set in the job's builder. With the agent's module imported the trace is
 * as on the spark-submit route; without it, actions keep the names the JVM sees (PySpark gives RDD actions their
 * Python line itself) and every other rule holds. The module with no agent in the JVM does nothing and says so
 * once.
 */
class PySparkPython3IT {

    private static final Duration TIMEOUT = Duration.ofMinutes(4);
    private static final Path JOB = TestJobs.job("python3_job.py");

    @TempDir
    static Path scratch;

    static LocalXRayEndpoint endpoint;
    static ChildJvm.Result withModule;
    static ChildJvm.Result withoutModule;
    static ChildJvm.Result moduleWithoutAgent;

    @BeforeAll
    static void runJobs() {
        endpoint = LocalXRayEndpoint.start();
        withModule = PySpark.python(JOB, scratch, endpoint, null, "module", PySpark.agentJar())
                .env("GLUE_STANDIN_CLASSES", TestJobs.glueStandInClasses()).run(TIMEOUT);
        List<String> traced = endpoint.traceIds();
        withoutModule = PySpark.python(JOB, scratch, endpoint, null, "plain", PySpark.agentJar())
                .env("GLUE_STANDIN_CLASSES", TestJobs.glueStandInClasses()).run(TIMEOUT);
        moduleWithoutAgent = PySpark.python(JOB, scratch, null, null, "module", "-", PySpark.agentJar())
                .run(TIMEOUT);
        assertThat(traced).as("one trace per traced run").hasSize(1);
    }

    @AfterAll
    static void stopEndpoint() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    private static Trace traceOf(int run) {
        return endpoint.trace(endpoint.traceIds().get(run));
    }

    @Test
    void withTheModuleImportedActionsAreNamedByTheirPythonLine() {
        withModule.assertExitCode(0);
        Trace trace = traceOf(0);
        assertThat(trace.root().name()).isEqualTo("pyspark-python3");
        assertThat(PySparkTraces.actionNames(trace)).as(trace.render())
                .containsExactlyElementsOf(TestJobs.expectedActions(JOB));
        PySparkTraces.assertWholeAndHonest(trace);
        assertThat(withModule.stdout()).contains("trace id " + trace.traceId());
    }

    @Test
    void withoutTheModuleNoInternalIsAnActionAndNoJobHangsUnderTheRoot() {
        withoutModule.assertExitCode(0);
        Trace trace = traceOf(1);
        // DataFrame actions come through Py4J with no Python line; PySpark names RDD actions itself, and Glue's
        // Python API passes its Python stack with a DynamicFrame write.
        List<String> expected = TestJobs.expectedActions(JOB).stream()
                .map(name -> name.startsWith("count ") || name.startsWith("show ") ? name.split(" ")[0] : name)
                .collect(Collectors.toList());
        assertThat(PySparkTraces.actionNames(trace)).as(trace.render()).containsExactlyElementsOf(expected);
        PySparkTraces.assertWholeAndHonest(trace);
    }

    @Test
    void theModuleWithNoAgentInTheJvmDoesNothingAndSaysSoOnce() {
        moduleWithoutAgent.assertExitCode(0);
        assertThat(moduleWithoutAgent.stdout()).contains("rows 5000").contains("sum 4950").contains("trace id None");
        List<String> warnings = moduleWithoutAgent.stderr().lines().filter(line -> line.contains("[xray-batch]"))
                .collect(Collectors.toList());
        assertThat(warnings).as(moduleWithoutAgent.stderr()).hasSize(1);
        assertThat(endpoint.traceIds()).hasSize(2);
    }
}
