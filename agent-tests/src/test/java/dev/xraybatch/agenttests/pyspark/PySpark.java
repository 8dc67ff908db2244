package dev.xraybatch.agenttests.pyspark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;

/**
 * Real PySpark 3.5.2 for the ITs, run the ways users run it: {@code spark-submit job.py} (Glue's, EMR's and
 * spark-submit's route: the JVM's PythonRunner starts Python) and {@code python3 job.py} (Python starts the JVM).
 * PyPI is out of reach, so the SPARK_HOME comes from {@code ../shared/pyspark-3.5.2/spark-home}: PySpark's own
 * Python files and scripts, with Spark 3.5.2's jars from Maven Central.
 */
final class PySpark {
    /** The PySpark that {@code ../shared} holds; its Python files and Spark's jars must be the same release. */
    static final String VERSION = "3.5.2";
    static final String PY4J_ZIP = "py4j-0.10.9.7-src.zip";
    private static final Pattern EXPECT = Pattern.compile("#\\s*expect:\\s*(.+?)\\s*$");

    private static Path sparkHome;

    private PySpark() {
    }

    /**
     * The SPARK_HOME with real PySpark: {@code -Dpyspark.home} if the build gave one, else built once by the
     * shared {@code spark-home} script (it keeps what it built in {@code ${java.io.tmpdir}}).
     */
    static synchronized Path sparkHome() {
        if (sparkHome != null) {
            return sparkHome;
        }
        String given = System.getProperty("pyspark.home");
        if (given != null && !given.isBlank() && Files.isDirectory(Paths.get(given, "jars"))) {
            return sparkHome = Paths.get(given);
        }
        Path script = Paths.get(System.getProperty("pyspark.home.script",
                "../../shared/pyspark-" + VERSION + "/spark-home")).toAbsolutePath().normalize();
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException("No PySpark for the ITs: " + script + " is missing (../shared must sit"
                    + " beside the checkout), and -Dpyspark.home names no SPARK_HOME");
        }
        try {
            Process build = new ProcessBuilder(script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String home = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (build.waitFor() != 0 || home.isEmpty()) {
                throw new IllegalStateException(script + " failed with exit code " + build.exitValue());
            }
            return sparkHome = Paths.get(home);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A test job under {@code src/test/python}. */
    static Path job(String fileName) {
        Path job = Paths.get("src", "test", "python", fileName).toAbsolutePath();
        if (!Files.isRegularFile(job)) {
            throw new IllegalStateException("No test job " + job);
        }
        return job;
    }

    /**
     * This module's test classes, for a driver's class path: the stand-in for Glue's JVM sink
     * ({@code com.amazonaws.services.glue.StandInHadoopSink}) that the test jobs' stand-in awsglue calls.
     */
    static String glueStandInClasses() {
        return Paths.get("target", "test-classes").toAbsolutePath().toString();
    }

    /** The agent jar the build made, as an absolute path. */
    static String agentJar() {
        return Paths.get(System.getProperty(ChildJvm.AGENT_JAR_PROPERTY)).toAbsolutePath().normalize().toString();
    }

    /**
     * {@code spark-submit --master <master> <confs> <job> <args>}, sending to {@code endpoint}, in
     * {@code directory}. The caller adds the agent's {@code --conf}s: it is the route under test.
     */
    static ChildJvm submit(Path job, String master, Path directory, LocalXRayEndpoint endpoint, List<String> confs,
                           String... jobArgs) {
        List<String> command = new ArrayList<>();
        command.add(sparkHome().resolve("bin").resolve("spark-submit").toString());
        command.add("--master");
        command.add(master);
        command.add("--driver-memory");
        command.add("1g");
        command.addAll(confs);
        command.add(job.toString());
        return environment(ChildJvm.launcher(command), directory, endpoint)
                .name("spark-submit-" + job.getFileName().toString().replace(".py", ""))
                .args(jobArgs);
    }

    /** {@code python3 <job> <args>}, PySpark and py4j on the path (and {@code extraPath} before them). */
    static ChildJvm python(Path job, Path directory, LocalXRayEndpoint endpoint, String extraPath, String... jobArgs) {
        Path lib = sparkHome().resolve("python").resolve("lib");
        String path = (extraPath == null ? "" : extraPath + ":") + lib.resolve("pyspark.zip") + ":"
                + lib.resolve(PY4J_ZIP);
        List<String> command = List.of("python3", job.toString());
        return environment(ChildJvm.launcher(command), directory, endpoint)
                .name("python3-" + job.getFileName().toString().replace(".py", ""))
                .env("PYTHONPATH", path)
                .args(jobArgs);
    }

    /** What spark-submit needs here: the SPARK_HOME, the child JDK, loopback only; and the X-Ray endpoint. */
    private static ChildJvm environment(ChildJvm child, Path directory, LocalXRayEndpoint endpoint) {
        ChildJvm configured = child
                .env("SPARK_HOME", sparkHome().toString())
                .env("JAVA_HOME", System.getProperty(ChildJvm.JAVA_HOME_PROPERTY, System.getProperty("java.home")))
                .env("SPARK_LOCAL_IP", "127.0.0.1")
                .env("PYSPARK_PYTHON", "python3")
                .env("PYSPARK_DRIVER_PYTHON", "python3")
                .workingDirectory(directory);
        return endpoint == null ? configured : configured.xray(endpoint);
    }

    /**
     * The actions a test job says it runs, from its {@code # expect: <name>} markers, in order: {@code
     * "count at job.py:12"}, or the marker's text alone when it has spaces (a job description the job set).
     */
    static List<String> expectedActions(Path job) {
        List<String> expected = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(job, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                Matcher marker = EXPECT.matcher(lines.get(i));
                if (marker.find()) {
                    String name = marker.group(1);
                    expected.add(name.contains(" ") ? name : name + " at " + job.getFileName() + ":" + (i + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return expected;
    }
}
