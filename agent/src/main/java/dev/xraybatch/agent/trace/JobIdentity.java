package dev.xraybatch.agent.trace;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who this job is, from what the platform puts in the environment: the root segment's name, its annotations
 * (searchable in X-Ray: {@code annotation.batch_job_id = "..."}), and its origin.
 */
public final class JobIdentity {
    public final String name;
    public final Map<String, Object> annotations;
    public final String origin;
    /**
     * The job's main class: the one {@code sun.java.command} names, or for {@code java -jar} the one the jar's
     * manifest names (Spring Boot's {@code Start-Class} behind its launcher); null when neither says.
     */
    public final String mainClass;
    /**
     * The name comes from a Spark launcher (spark-submit, PythonRunner, YARN's ApplicationMaster), not from the
     * user: the Spark application's name ({@code spark.app.name}), known once Spark starts, should replace it.
     */
    public final boolean namedByLauncher;

    /** Main classes that launch a Spark application rather than being it. */
    private static final String SPARK_DEPLOY = String.join(".", "org", "apache", "spark", "deploy") + ".";
    private static final String[] SPARK_LAUNCHERS = {
        SPARK_DEPLOY + "SparkSubmit", SPARK_DEPLOY + "PythonRunner", SPARK_DEPLOY + "yarn.ApplicationMaster",
        SPARK_DEPLOY + "worker.DriverWrapper", String.join(".", "org", "apache", "spark", "api", "python")
                + ".PythonGatewayServer",
    };
    /** spark-submit's options that take a value (the rest are flags): to find its primary resource. */
    private static final String[] SUBMIT_OPTIONS_WITH_VALUE = {
        "--master", "--remote", "--deploy-mode", "--class", "--name", "--jars", "--packages", "--exclude-packages",
        "--repositories", "--py-files", "--files", "--archives", "--conf", "-c", "--properties-file",
        "--driver-memory", "--driver-java-options", "--driver-library-path", "--driver-class-path",
        "--executor-memory", "--proxy-user", "--driver-cores", "--total-executor-cores", "--executor-cores",
        "--num-executors", "--queue", "--principal", "--keytab", "--kill", "--status",
    };

    private JobIdentity(String name, Map<String, Object> annotations, String origin, String mainClass,
                        boolean namedByLauncher) {
        this.name = name;
        this.annotations = annotations;
        this.origin = origin;
        this.mainClass = mainClass;
        this.namedByLauncher = namedByLauncher;
    }

    /**
     * @param configuredName the {@code service_name} setting, or null
     * @param command        {@code sun.java.command}: main class or jar, then the program's arguments
     */
    public static JobIdentity resolve(String configuredName, Map<String, String> env, String command) {
        String[] words = command == null ? new String[0] : command.trim().split("\\s+");
        String launched = words.length > 0 && !words[0].isEmpty() ? words[0] : null;
        String mainClass = launched == null ? null
                : launched.endsWith(".jar") ? JarMainClass.of(launched) : launched;
        String glueJobName = argument(words, "--JOB_NAME");
        String glueRunId = argument(words, "--JOB_RUN_ID");

        Map<String, Object> annotations = new LinkedHashMap<>();
        put(annotations, "batch_job_id", env.get("AWS_BATCH_JOB_ID"));
        putNumber(annotations, "batch_array_index", env.get("AWS_BATCH_JOB_ARRAY_INDEX"));
        putNumber(annotations, "batch_attempt", env.get("AWS_BATCH_JOB_ATTEMPT"));
        put(annotations, "batch_queue", env.get("AWS_BATCH_JQ_NAME"));
        putNumber(annotations, "batch_node_index", env.get("AWS_BATCH_JOB_NODE_INDEX"));
        put(annotations, "glue_job_name", glueJobName);
        put(annotations, "glue_job_run_id", glueRunId);
        put(annotations, "host", hostName(env));

        String chosen = firstOf(configuredName, env.get("AWS_XRAY_TRACING_NAME"), glueJobName,
                env.get("AWS_BATCH_JOB_NAME"), env.get("AWS_BATCH_JOB_DEFINITION"));
        boolean launcher = chosen == null && isSparkLauncher(mainClass);
        String name = chosen != null ? chosen
                : launcher ? firstOf(sparkSubmitAppName(words), programName(launched)) : programName(launched);
        String origin = env.get("ECS_CONTAINER_METADATA_URI_V4") != null
                || env.get("ECS_CONTAINER_METADATA_URI") != null ? "AWS::ECS::Container" : null;
        return new JobIdentity(name, annotations, origin, mainClass, launcher);
    }

    static boolean isSparkLauncher(String mainClass) {
        if (mainClass == null) {
            return false;
        }
        for (String launcher : SPARK_LAUNCHERS) {
            if (launcher.equals(mainClass)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The application's name as spark-submit would give it before Spark starts: {@code --name}, a
     * {@code spark.app.name} conf, else its primary resource's file name ({@code job.py}), as spark-submit does.
     */
    static String sparkSubmitAppName(String[] words) {
        String primary = null;
        for (int i = 1; i < words.length; i++) {
            String word = words[i];
            if (word.equals("--name") && i + 1 < words.length) {
                return words[i + 1];
            }
            if ((word.equals("--conf") || word.equals("-c")) && i + 1 < words.length
                    && words[i + 1].startsWith("spark.app.name=")) {
                return words[i + 1].substring("spark.app.name=".length());
            }
            if (takesValue(word)) {
                i++;
            } else if (!word.startsWith("-") && primary == null) {
                primary = word;
            }
        }
        if (primary == null || primary.equals("pyspark-shell") || primary.equals("spark-shell")
                || primary.equals("spark-internal")) {
            return null;
        }
        return new File(primary).getName();
    }

    private static boolean takesValue(String option) {
        for (String o : SUBMIT_OPTIONS_WITH_VALUE) {
            if (o.equals(option)) {
                return true;
            }
        }
        return false;
    }

    /** Glue passes its parameters as {@code --JOB_NAME value} program arguments. */
    private static String argument(String[] words, String flag) {
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].equals(flag)) {
                return words[i + 1];
            }
        }
        return null;
    }

    /** The main class's simple name or the jar's name; {@code java-job} when nothing names the program. */
    private static String programName(String launched) {
        if (launched == null) {
            return "java-job";
        }
        if (launched.endsWith(".jar")) {
            String file = new File(launched).getName();
            return file.substring(0, file.length() - 4);
        }
        int dot = launched.lastIndexOf('.');
        return dot >= 0 ? launched.substring(dot + 1) : launched;
    }

    /** From the environment or the kernel: a DNS lookup here could stall start-up. */
    private static String hostName(Map<String, String> env) {
        String host = env.get("HOSTNAME");
        if (host != null && !host.isEmpty()) {
            return host;
        }
        try {
            return new String(Files.readAllBytes(Paths.get("/proc/sys/kernel/hostname")), StandardCharsets.UTF_8)
                    .trim();
        } catch (Exception | Error e) {
            return null;
        }
    }

    /** The first candidate that says something, or null. */
    private static String firstOf(String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.trim().isEmpty()) {
                return c.trim();
            }
        }
        return null;
    }

    private static void put(Map<String, Object> annotations, String key, String value) {
        if (value != null && !value.isEmpty()) {
            annotations.put(key, value);
        }
    }

    private static void putNumber(Map<String, Object> annotations, String key, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        try {
            annotations.put(key, Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            annotations.put(key, value);
        }
    }
}
