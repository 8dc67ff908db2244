package dev.xraybatch.agenttests.spark;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.spark.launcher.JavaModuleOptions;

/**
 * Starts {@link SparkScenarioJob} in a child JVM the way spark-submit would: Spark's own {@code --add-opens} list
 * on the driver, loopback only, a throw-away {@code SPARK_HOME}, and for {@code local-cluster} masters the
 * settings that let Spark start real executor JVMs from Maven jars (spark-notes: "Real multi-JVM Spark in tests").
 * The agent rides on the driver with {@code -javaagent} and, when {@link #agentOnExecutors}, on each executor.
 */
final class SparkDriverLauncher {

    private static final long TIMEOUT_MINUTES = 8;

    private final String master;
    private final Path scratch;
    private final List<String> agentArgs = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private boolean agentOnExecutors;

    SparkDriverLauncher(String master, Path scratch) {
        this.master = master;
        this.scratch = scratch;
    }

    /** Where the child sends its trace, and any other agent setting, as environment for driver and executors. */
    SparkDriverLauncher environment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    SparkDriverLauncher agentOnExecutors() {
        this.agentOnExecutors = true;
        return this;
    }

    /** The finished driver: exit code and everything it printed, stdout and stderr merged. */
    record Result(int exitCode, String output, long millis) {
    }

    Result run() throws IOException, InterruptedException {
        String classPath = System.getProperty("java.class.path");
        String agent = "-javaagent:" + agentJar();

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("child.java.home", System.getProperty("java.home")), "bin", "java")
                .toString());
        command.add("-Xmx1g");
        command.addAll(List.of(JavaModuleOptions.defaultModuleOptions().split(" ")));
        command.add(agent);
        if (master.startsWith("local-cluster")) {
            // Without these, the in-process worker looks for a Spark build tree ("Cannot find any build directories").
            command.add("-Dspark.executorEnv.SPARK_SCALA_VERSION=" + System.getProperty("spark.scala.binary.version"));
            command.add("-Dspark.executorEnv.SPARK_SQL_TESTING=1");
            command.add("-Dspark.executor.extraClassPath=" + classPath);
            if (agentOnExecutors) {
                command.add("-Dspark.executor.extraJavaOptions=" + agent);
            }
        }
        command.add("-cp");
        command.add(classPath);
        command.add(SparkScenarioJob.class.getName());
        command.add(master);
        command.add(scratch.toString());

        Path sparkHome = Files.createDirectories(scratch.resolve("spark-home"));
        Path log = scratch.resolve("driver.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .directory(scratch.toFile());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().putAll(environment);

        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("Spark driver did not end within " + TIMEOUT_MINUTES + " minutes; log: " + log);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8), millis);
    }

    private static String agentJar() {
        File jar = new File(System.getProperty("agent.jar", "../agent/target/xray-batch-agent.jar"));
        if (!jar.isFile()) {
            throw new IllegalStateException("agent jar not built: " + jar.getAbsolutePath()
                    + " (mvn -pl agent package -DskipTests)");
        }
        return jar.getAbsolutePath();
    }
}
