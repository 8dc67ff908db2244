package dev.xraybatch.agenttests.spark;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;

import org.apache.spark.launcher.JavaModuleOptions;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;

/**
 * Starts {@link SparkScenarioJob} in a child JVM the way spark-submit would: Spark's own {@code --add-opens} list
 * on the driver, loopback only, a throw-away {@code SPARK_HOME}, and for {@code local-cluster} masters the
 * settings that let Spark start real executor JVMs from Maven jars (spark-notes: "Real multi-JVM Spark in tests").
 * The agent rides on the driver with {@code -javaagent}; with {@link #agentOnExecutors} on each executor too.
 * Executors inherit the driver's environment, so they send to the same endpoint.
 */
final class SparkDriverLauncher {

    /** A whole scenario list takes 15-40 s on two cores; this only stops a hung context. */
    private static final Duration TIMEOUT = Duration.ofMinutes(6);

    private final String master;
    private final Path scratch;
    private final LocalXRayEndpoint endpoint;
    private boolean agentOnExecutors;
    private Path executorLogConfig;
    private SparkScenarioJob.Ending ending = SparkScenarioJob.Ending.STOP;
    private final java.util.Map<String, String> env = new java.util.LinkedHashMap<>();

    SparkDriverLauncher(String master, Path scratch, LocalXRayEndpoint endpoint) {
        this.master = master;
        this.scratch = scratch;
        this.endpoint = endpoint;
    }

    SparkDriverLauncher agentOnExecutors() {
        this.agentOnExecutors = true;
        return this;
    }

    /** A Log4j 2 configuration for the executor JVMs (local-cluster only). */
    SparkDriverLauncher executorLogConfig(Path log4j2Properties) {
        this.executorLogConfig = log4j2Properties;
        return this;
    }

    SparkDriverLauncher ending(SparkScenarioJob.Ending how) {
        this.ending = how;
        return this;
    }

    /** An environment variable for the driver (and, inherited, its executors), e.g. an agent setting. */
    SparkDriverLauncher env(String name, String value) {
        env.put(name, value);
        return this;
    }

    ChildJvm.Result run() {
        ChildJvm driver = sparkDriver(SparkScenarioJob.class, "spark-" + master.replaceAll("[^a-z0-9]+", "-"),
                        scratch, endpoint)
                .args(master, scratch.toString(), ending.name());
        env.forEach(driver::env);
        if (master.startsWith("local-cluster")) {
            // Without these the in-process worker looks for a Spark build tree ("Cannot find any build directories").
            driver.systemProperty("spark.executorEnv.SPARK_SCALA_VERSION",
                            System.getProperty("spark.scala.binary.version"))
                    .systemProperty("spark.executorEnv.SPARK_SQL_TESTING", "1")
                    .systemProperty("spark.executor.extraClassPath", System.getProperty("java.class.path"));
            String executorOptions = (agentOnExecutors ? "-javaagent:" + agentJar() : "")
                    + (executorLogConfig != null ? " -Dlog4j2.configurationFile=" + executorLogConfig.toUri() : "");
            if (!executorOptions.isBlank()) {
                driver.systemProperty("spark.executor.extraJavaOptions", executorOptions.trim());
            }
        }
        return driver.run(TIMEOUT);
    }

    /**
     * A child JVM set up as spark-submit starts a driver, sending to {@code endpoint}: Spark's {@code --add-opens},
     * 1 GB of heap, loopback only, and a throw-away {@code SPARK_HOME} under {@code directory}, which is also the
     * working directory. With {@code -javaagent} unless the caller says {@code withoutAgent()}.
     */
    static ChildJvm sparkDriver(Class<?> main, String name, Path directory, LocalXRayEndpoint endpoint) {
        try {
            return ChildJvm.main(main)
                    .name(name)
                    .xray(endpoint)
                    .jvmArgs("-Xmx1g")
                    .jvmArgs(JavaModuleOptions.defaultModuleOptions().split(" "))
                    .env("SPARK_LOCAL_IP", "127.0.0.1")
                    .env("SPARK_HOME", Files.createDirectories(directory.resolve("spark-home")).toString())
                    .workingDirectory(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The agent jar the build made, as an absolute path. */
    static String agentJar() {
        return Paths.get(System.getProperty(ChildJvm.AGENT_JAR_PROPERTY)).toAbsolutePath().normalize().toString();
    }

    /** This JVM's class path with the agent jar on it: the Glue route, where the jar comes as an extra jar. */
    static String classPathWithAgentJar() {
        return System.getProperty("java.class.path") + File.pathSeparator + agentJar();
    }
}
