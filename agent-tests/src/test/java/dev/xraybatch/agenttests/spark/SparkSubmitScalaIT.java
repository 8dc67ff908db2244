package dev.xraybatch.agenttests.spark;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.PySpark;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Scala Spark job ({@code SparkPiJob}, compiled from src/test/scala) through spark-submit with the agent on the
 * driver: as for the Java job of {@link SparkSubmitJavaIT}, the driver's whole run is explained, the job's own work
 * named after the Scala object's methods (not {@code SparkPiJob$}, not its closures' {@code $anonfun$} names).
 */
class SparkSubmitScalaIT {
    private static final String JOB = "dev.xraybatch.agenttests.spark.SparkPiJob";

    @TempDir
    static Path scratch;

    static LocalXRayEndpoint endpoint;
    static ChildJvm.Result run;

    @BeforeAll
    static void submit() throws IOException, ClassNotFoundException {
        endpoint = LocalXRayEndpoint.start();
        Path jar = SparkSubmitJavaIT.jobJar(scratch.resolve("sparkpi.jar"), Class.forName(JOB));
        List<String> confs = new ArrayList<>(PySpark.agentOnTheDriver());
        confs.add("--class");
        confs.add(JOB);
        run = PySpark.submit(jar, "local[2]", scratch, endpoint, confs).run(Duration.ofMinutes(4));
    }

    @AfterAll
    static void stopEndpoint() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void theScalaDriversWholeRunIsExplainedItsOwnWorkNamedAfterTheObjectsMethods() {
        run.assertExitCode(0);
        assertThat(run.stdout()).contains("SparkPiJob pi is roughly 3.1");
        Trace trace = endpoint.onlyTrace();
        TraceNode root = trace.root();
        System.out.println(trace.render());
        List<String> names = root.children().stream().map(TraceNode::name).collect(Collectors.toList());
        assertThat(names).as(trace.render()).containsSubsequence("JVM start-up", "SparkPiJob.drawSeeds",
                "SparkSession start", "reduce at SparkPiJob.scala:23", "SparkPiJob.checkEstimate",
                "SparkContext stop");
        assertThat(names).as(trace.render()).noneMatch(name -> name.contains("$") || name.contains("anonfun"));
        assertThat(root.uncoveredGaps(1.0)).as(trace.render()).isEmpty();
        assertThat(root.coveredShare()).as(trace.render() + root.uncoveredGaps(0.05)).isGreaterThanOrEqualTo(0.95);
        assertThat(run.stderr()).contains("{classes: " + JOB + "$, methods: ");
    }
}
