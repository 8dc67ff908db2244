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
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Java Spark job through spark-submit with the agent on the driver, as the guide's spark-submit route says: the
 * driver's time between JVM start-up, Spark's start, the actions and the end is explained, the job's own
 * driver-side work named after its methods, and time in Spark calls that are no action as the job's line.
 */
class SparkSubmitJavaIT {
    @TempDir
    static Path scratch;

    static LocalXRayEndpoint endpoint;
    static ChildJvm.Result run;

    @BeforeAll
    static void submit() throws IOException {
        endpoint = LocalXRayEndpoint.start();
        Path jar = jobJar(scratch.resolve("wordcount.jar"), WordCountJob.class);
        List<String> confs = new ArrayList<>(PySpark.agentOnTheDriver());
        confs.add("--class");
        confs.add(WordCountJob.class.getName());
        run = PySpark.submit(jar, "local[2]", scratch, endpoint, confs, scratch.resolve("input.txt").toString())
                .run(Duration.ofMinutes(4));
    }

    @AfterAll
    static void stopEndpoint() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    /** The job's classes (with its lambdas' enclosing class and nested ones) in a jar spark-submit can take. */
    static Path jobJar(Path jar, Class<?> job) throws IOException {
        String folder = job.getName().substring(0, job.getName().lastIndexOf('.')).replace('.', '/');
        Path classes = Path.of(job.getProtectionDomain().getCodeSource().getLocation().getPath()).resolve(folder);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
             var entries = Files.list(classes)) {
            for (Path c : entries.filter(p -> p.getFileName().toString().startsWith(job.getSimpleName()))
                    .collect(Collectors.toList())) {
                out.putNextEntry(new JarEntry(folder + "/" + c.getFileName()));
                try (InputStream in = Files.newInputStream(c)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void theDriversWholeRunIsExplainedItsOwnWorkNamedAfterItsMethods() {
        run.assertExitCode(0);
        Trace trace = endpoint.onlyTrace();
        TraceNode root = trace.root();
        List<String> names = root.children().stream().map(TraceNode::name).collect(Collectors.toList());
        assertThat(names).as(trace.render()).containsSubsequence("JVM start-up", "WordCountJob.prepareInput",
                "SparkSession start", "collect at WordCountJob.java:32", "WordCountJob.rankWords",
                "SparkContext stop");
        assertThat(root.uncoveredGaps(1.0)).as(trace.render()).isEmpty();
        assertThat(root.coveredShare()).as(trace.render() + root.uncoveredGaps(0.05)).isGreaterThanOrEqualTo(0.95);
        // One sampler for the driver's thread: no stretch of it is explained twice.
        List<TraceNode> sampled = root.children().stream()
                .filter(c -> c.get("metadata").has("gaps") || c.get("metadata").path("spark").has("driver_samples"))
                .collect(Collectors.toList());
        for (int i = 1; i < sampled.size(); i++) {
            assertThat(sampled.get(i).startTime()).as(trace.render())
                    .isGreaterThanOrEqualTo(sampled.get(i - 1).endTime() - 1e-6);
        }
        assertThat(run.stderr()).contains("{classes: " + WordCountJob.class.getName() + ", methods: ");
    }
}
