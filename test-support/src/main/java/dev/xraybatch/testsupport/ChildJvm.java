package dev.xraybatch.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts a child JVM for integration tests, by default with the agent under test
 * ({@code -javaagent:<system property agent.jar>}) and an environment that carries nothing AWS-related from the
 * machine. Output goes to files under {@code target/child-jvm/} (kept for debugging) and is returned as strings.
 *
 * <pre>{@code
 * ChildJvm.Result result = ChildJvm.main(MyJob.class)
 *         .agentArgs("service=test")
 *         .xray(endpoint)
 *         .run(Duration.ofSeconds(60));
 * result.assertExitCode(0);
 * }</pre>
 */
public final class ChildJvm {

    /** System property naming the agent jar, set by the build of agent-tests. */
    public static final String AGENT_JAR_PROPERTY = "agent.jar";
    /** System property naming the JDK for children; defaults to the one running the tests. */
    public static final String JAVA_HOME_PROPERTY = "child.java.home";
    /** System property naming where output files go; defaults to {@code target/child-jvm}. */
    public static final String OUTPUT_DIR_PROPERTY = "child.output.dir";

    private static final AtomicInteger RUNS = new AtomicInteger();
    /** Variables that would carry the machine's AWS identity, region, endpoints or JVM options into the child. */
    private static final List<String> CLEARED_PREFIXES = List.of("AWS_", "_X_AMZN_");
    private static final List<String> CLEARED_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS");

    private final String mainClass;
    /** The jar of {@code java -jar}: its manifest names the main class; null for a main class on a class path. */
    private final Path jar;
    /** A launcher's own command line (spark-submit, python3), which starts the JVM itself; null for a main class. */
    private final List<String> launcherCommand;
    private final List<String> args = new ArrayList<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private boolean withAgent = true;
    private String agentArgs;
    private String classPath = System.getProperty("java.class.path");
    private Path javaHome = Paths.get(System.getProperty(JAVA_HOME_PROPERTY, System.getProperty("java.home")));
    private Path workingDirectory;
    private String name;

    private ChildJvm(String mainClass) {
        this.mainClass = mainClass;
        this.jar = null;
        this.launcherCommand = null;
        this.name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
    }

    private ChildJvm(Path jar) {
        this.mainClass = null;
        this.jar = jar.toAbsolutePath();
        this.launcherCommand = null;
        this.name = jar.getFileName().toString();
    }

    private ChildJvm(List<String> launcherCommand) {
        this.mainClass = null;
        this.jar = null;
        this.launcherCommand = List.copyOf(launcherCommand);
        this.withAgent = false;
        this.name = Paths.get(launcherCommand.get(0)).getFileName().toString();
    }

    /**
     * A JVM started by a launcher, as users start PySpark jobs: {@code spark-submit job.py}, or {@code python3 job.py}
     * whose PySpark starts the JVM. The command is run as given: the agent rides in its arguments (e.g.
     * {@code spark.driver.extraJavaOptions}), so {@link #jvmArgs}, {@link #systemProperty} and the class path do not
     * apply; {@link #args}, {@link #env}, {@link #xray} and the output files do.
     */
    public static ChildJvm launcher(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a launcher needs a command");
        }
        return new ChildJvm(command);
    }

    /** A child running this main class. */
    public static ChildJvm main(Class<?> mainClass) {
        return new ChildJvm(mainClass.getName());
    }

    /** A child started as {@code java -jar <jar>}: the class path ({@link #classPath}) is the jar's own. */
    public static ChildJvm jar(Path jar) {
        return new ChildJvm(jar);
    }

    /** A child running the main class of this name (e.g. one that is not on the test's own class path). */
    public static ChildJvm main(String mainClass) {
        return new ChildJvm(mainClass);
    }

    /** Arguments to {@code main}. */
    public ChildJvm args(String... arguments) {
        args.addAll(Arrays.asList(arguments));
        return this;
    }

    /** Options for the JVM itself, before the main class (e.g. {@code -Xmx256m}). */
    public ChildJvm jvmArgs(String... arguments) {
        jvmArgs.addAll(Arrays.asList(arguments));
        return this;
    }

    /** A {@code -Dname=value} for the child. */
    public ChildJvm systemProperty(String name, String value) {
        systemProperties.put(name, value);
        return this;
    }

    /** An environment variable for the child (set after the AWS variables were cleared). */
    public ChildJvm env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Options after {@code -javaagent:<jar>=}. */
    public ChildJvm agentArgs(String arguments) {
        this.agentArgs = arguments;
        return this;
    }

    /** Runs without the agent, e.g. for a baseline. */
    public ChildJvm withoutAgent() {
        this.withAgent = false;
        return this;
    }

    /** Replaces the class path (default: this JVM's {@code java.class.path}). */
    public ChildJvm classPath(String path) {
        this.classPath = path;
        return this;
    }

    /** Replaces the class path with these entries. */
    public ChildJvm classPath(List<Path> entries) {
        return classPath(String.join(File.pathSeparator, entries.stream().map(Path::toString).toList()));
    }

    /** The JDK to run (default: system property {@value #JAVA_HOME_PROPERTY}, else this JVM's). */
    public ChildJvm javaHome(Path home) {
        this.javaHome = home;
        return this;
    }

    public ChildJvm workingDirectory(Path directory) {
        this.workingDirectory = directory;
        return this;
    }

    /** Prefix of the output files (default: the main class's simple name). */
    public ChildJvm name(String prefix) {
        this.name = prefix;
        return this;
    }

    /**
     * Points the child at this endpoint the way a user would configure a real job: {@code AWS_REGION},
     * the endpoint's test credentials and {@code AWS_ENDPOINT_URL_XRAY}; and a generous exit deadline.
     */
    public ChildJvm xray(LocalXRayEndpoint endpoint) {
        env.putAll(endpoint.clientEnvironment());
        // Tests assert what arrives, not how fast: on a busy 2-core machine the first send alone can outlast the
        // agent's default 5 s exit deadline. A test about the deadline sets its own value after this call.
        env.put("XRAY_BATCH_SHUTDOWN_DEADLINE_MS", "60000");
        return this;
    }

    /** The full command line, for logs and assertions. */
    public List<String> command() {
        if (launcherCommand != null) {
            List<String> command = new ArrayList<>(launcherCommand);
            command.addAll(args);
            return command;
        }
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        if (withAgent) {
            command.add("-javaagent:" + agentJar() + (agentArgs == null ? "" : "=" + agentArgs));
        }
        systemProperties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(jvmArgs);
        if (jar != null) {
            command.add("-jar");
            command.add(jar.toString());
        } else {
            command.add("-cp");
            command.add(classPath);
            command.add(mainClass);
        }
        command.addAll(args);
        return command;
    }

    /** Runs to the end; a child still running after {@code timeout} is killed (with its descendants) and fails the test. */
    public Result run(Duration timeout) {
        return start().waitFor(timeout);
    }

    /** Starts the child and returns at once. */
    public Running start() {
        List<String> command = command();
        Path outputDir = Paths.get(System.getProperty(OUTPUT_DIR_PROPERTY, "target/child-jvm")).toAbsolutePath();
        String stem = name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS"))
                + "-" + RUNS.incrementAndGet();
        Path stdout = outputDir.resolve(stem + ".stdout");
        Path stderr = outputDir.resolve(stem + ".stderr");
        try {
            Files.createDirectories(outputDir);
            Files.writeString(outputDir.resolve(stem + ".command"), String.join("\n", command) + "\n");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile());
            if (workingDirectory != null) {
                builder.directory(workingDirectory.toFile());
            }
            prepareEnvironment(builder.environment(), outputDir);
            return new Running(builder.start(), command, stdout, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + String.join(" ", command), e);
        }
    }

    void prepareEnvironment(Map<String, String> environment, Path outputDir) {
        environment.keySet().removeIf(key -> CLEARED_VARIABLES.contains(key)
                || CLEARED_PREFIXES.stream().anyMatch(key::startsWith));
        // The SDK would otherwise read ~/.aws and probe the instance metadata service of this machine.
        environment.put("AWS_CONFIG_FILE", outputDir.resolve("no-aws-config").toString());
        environment.put("AWS_SHARED_CREDENTIALS_FILE", outputDir.resolve("no-aws-credentials").toString());
        environment.put("AWS_EC2_METADATA_DISABLED", "true");
        environment.putAll(env);
    }

    private static String agentJar() {
        String jar = System.getProperty(AGENT_JAR_PROPERTY);
        if (jar == null || jar.isBlank()) {
            throw new IllegalStateException("System property " + AGENT_JAR_PROPERTY + " is not set: the build must pass"
                    + " the agent jar (or call withoutAgent()).");
        }
        Path path = Paths.get(jar).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("Agent jar " + path + " does not exist: build the agent module first"
                    + " (mvn -pl agent package).");
        }
        return path.toString();
    }

    /** A started child. Closing it kills the child and its descendants if they are still running. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final List<String> command;
        private final Path stdoutFile;
        private final Path stderrFile;

        private Running(Process process, List<String> command, Path stdoutFile, Path stderrFile) {
            this.process = process;
            this.command = command;
            this.stdoutFile = stdoutFile;
            this.stderrFile = stderrFile;
        }

        public long pid() {
            return process.pid();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Sends a signal by name ({@code TERM}, {@code INT}, {@code KILL}...) with {@code kill -<name> <pid>}. */
        public void sendSignal(String signal) {
            try {
                Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                        .redirectErrorStream(true).start();
                String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (kill.waitFor() != 0) {
                    throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: " + output);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while signalling " + process.pid(), e);
            }
        }

        /** Waits for the child to exit; after {@code timeout} kills it with its descendants and fails with its output. */
        public Result waitFor(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    killTree();
                    throw new AssertionError("Child JVM did not exit within " + timeout + " and was killed.\n"
                            + describe());
                }
            } catch (InterruptedException e) {
                killTree();
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for the child JVM; it was killed.\n" + describe(), e);
            }
            return new Result(process.exitValue(), stdout(), stderr(), command, stdoutFile, stderrFile);
        }

        /** Standard output so far. */
        public String stdout() {
            return read(stdoutFile);
        }

        /** Standard error so far. */
        public String stderr() {
            return read(stderrFile);
        }

        @Override
        public void close() {
            killTree();
        }

        private void killTree() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private String describe() {
            return Result.describe(String.join(" ", command), stdout(), stderr(), stdoutFile, stderrFile);
        }
    }

    /** How a child ended. */
    public record Result(int exitCode, String stdout, String stderr, List<String> command, Path stdoutFile,
                         Path stderrFile) {

        /** Fails with the command and full output unless the child exited with this code. */
        public Result assertExitCode(int expected) {
            if (exitCode != expected) {
                throw new AssertionError("Child JVM exited with " + exitCode + ", expected " + expected + ".\n"
                        + describe(String.join(" ", command), stdout, stderr, stdoutFile, stderrFile));
            }
            return this;
        }

        /** Standard output then standard error. */
        public String output() {
            return stdout + stderr;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n" + describe(String.join(" ", command), stdout, stderr, stdoutFile, stderrFile);
        }

        static String describe(String command, String stdout, String stderr, Path stdoutFile, Path stderrFile) {
            return "command: " + command + "\n--- stdout (" + stdoutFile + ")\n" + stdout
                    + "\n--- stderr (" + stderrFile + ")\n" + stderr;
        }
    }

    private static String read(Path file) {
        try {
            // Lenient decoding: a child may be mid-way through a multi-byte character.
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
