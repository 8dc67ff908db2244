package dev.xraybatch.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Real PySpark 3.5.2 for the tests, run the ways users run it: {@code spark-submit job.py} (Glue's, EMR's and
 * spark-submit's route: the JVM's PythonRunner starts Python) and {@code python3 job.py} (Python starts the JVM).
 * PyPI is out of reach, so the SPARK_HOME comes from {@code ../shared/pyspark-3.5.2/spark-home}: PySpark's own
 * Python files and scripts, with Spark 3.5.2's jars from Maven Central.
 *
 * <p>System properties the build sets: {@code pyspark.home} (a SPARK_HOME to use as it is) or
 * {@code pyspark.home.script} (the shared script; default {@code ../../shared/pyspark-3.5.2/spark-home} from the
 * module's folder), and {@value ChildJvm#AGENT_JAR_PROPERTY}.
 */
public final class PySpark {
    /** The PySpark that {@code ../shared} holds; its Python files and Spark's jars must be the same release. */
    public static final String VERSION = "3.5.2";
    public static final String PY4J_ZIP = "py4j-0.10.9.7-src.zip";

    private static Path sparkHome;

    private PySpark() {
    }

    /**
     * The SPARK_HOME with real PySpark: {@code -Dpyspark.home} if the build gave one, else built once by the
     * shared {@code spark-home} script (it keeps what it built in {@code ${java.io.tmpdir}}).
     */
    public static synchronized Path sparkHome() {
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
            throw new IllegalStateException("No PySpark for the tests: " + script + " is missing (../shared must sit"
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

    /** The agent jar the build made, as an absolute path. */
    public static String agentJar() {
        String jar = System.getProperty(ChildJvm.AGENT_JAR_PROPERTY);
        if (jar == null || jar.isBlank()) {
            throw new IllegalStateException("System property " + ChildJvm.AGENT_JAR_PROPERTY + " is not set: the"
                    + " build must pass the agent jar");
        }
        return Paths.get(jar).toAbsolutePath().normalize().toString();
    }

    /** The {@code --conf} that puts the agent on the driver, as the guide's spark-submit route does. */
    public static List<String> agentOnTheDriver() {
        return List.of("--conf", "spark.driver.extraJavaOptions=-javaagent:" + agentJar());
    }

    /**
     * {@code spark-submit --master <master> <confs> <job> <args>}, sending to {@code endpoint}, in
     * {@code directory}. The caller adds the agent's {@code --conf}s: it is the route under test.
     */
    public static ChildJvm submit(Path job, String master, Path directory, LocalXRayEndpoint endpoint,
                                  List<String> confs, String... jobArgs) {
        return environment(ChildJvm.launcher(submitCommand(job, master, confs)), directory, endpoint)
                .name("spark-submit-" + job.getFileName().toString().replace(".py", ""))
                .args(jobArgs);
    }

    /** {@code spark-submit --master <master> --driver-memory 1g <confs> <job>}: the job's arguments go after it. */
    public static List<String> submitCommand(Path job, String master, List<String> confs) {
        List<String> command = new ArrayList<>();
        command.add(sparkHome().resolve("bin").resolve("spark-submit").toString());
        command.add("--master");
        command.add(master);
        command.add("--driver-memory");
        command.add("1g");
        command.addAll(confs);
        command.add(job.toString());
        return command;
    }

    /** {@code python3 <job> <args>}, PySpark and py4j on the path (and {@code extraPath} before them). */
    public static ChildJvm python(Path job, Path directory, LocalXRayEndpoint endpoint, String extraPath,
                                  String... jobArgs) {
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
        ChildJvm configured = child.workingDirectory(directory);
        launcherEnvironment().forEach(configured::env);
        return endpoint == null ? configured : configured.xray(endpoint);
    }

    /**
     * The environment spark-submit and {@code python3 job.py} need here: this SPARK_HOME, the child JDK
     * ({@value ChildJvm#JAVA_HOME_PROPERTY}, else this JVM's), Spark on loopback only, {@code python3} for the
     * driver and the workers.
     */
    public static Map<String, String> launcherEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("SPARK_HOME", sparkHome().toString());
        environment.put("JAVA_HOME", System.getProperty(ChildJvm.JAVA_HOME_PROPERTY, System.getProperty("java.home")));
        environment.put("SPARK_LOCAL_IP", "127.0.0.1");
        environment.put("PYSPARK_PYTHON", "python3");
        environment.put("PYSPARK_DRIVER_PYTHON", "python3");
        return environment;
    }
}
