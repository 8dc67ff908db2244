package dev.xraybatch.benchmarks.spark;

import dev.xraybatch.benchmarks.process.PairedRounds;
import dev.xraybatch.benchmarks.process.PairedRounds.Variant;
import dev.xraybatch.benchmarks.process.Stats;
import dev.xraybatch.benchmarks.process.TimedRun;
import dev.xraybatch.testsupport.LocalXRayEndpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * Whole-process cost of an agent on a real Spark job ({@link UuidSortJob}, {@code local[2]}): wall time, CPU (user +
 * system of the child) and peak RSS, each variant in a fresh JVM, interleaved round by round with the order rotating
 * so that load from elsewhere on the machine falls on every variant alike. Ratios are against the no-agent run of
 * the same round (paired) and of the medians.
 *
 * <p>Variant sets:
 * <ul>
 *   <li>{@code reference}: no agent; xray-batch-agent with its defaults (actions, jobs, stages, executor summaries)
 *       exporting to a {@link LocalXRayEndpoint} and, separately, to a JSON-lines file; the OpenTelemetry agent
 *       with its exporters off.</li>
 *   <li>{@code breakdown}: no agent; our agent to a file with all of it on; with Spark tracing off; with Spark,
 *       context propagation and the AWS SDK modules off (start-up, Byte Buddy's class-load hook, the root segment);
 *       then one agent run under JFR whose execution samples are split by the agent's part on the stack
 *       ({@link AgentSampleSplit}).</li>
 * </ul>
 * Every agent run's closing line ({@code sent N documents, ... dropped ...}) is read back: the figures only count
 * if nothing was dropped.
 *
 * <p>In {@code local[N]} mode the executor is the driver JVM: {@code Task.run}'s advice (the executor summaries)
 * runs there too, so one JVM carries every part of the agent.
 *
 * <p>Usage: {@code SparkJobBenchmark <xray-batch-agent.jar> <opentelemetry-javaagent.jar> <job class path file>
 * [rounds] [warmupRounds] [reference|breakdown] [shufflePartitions]}. Needs GNU {@code /usr/bin/time}.
 */
public final class SparkJobBenchmark {
    private static final Pattern STARTED = Pattern.compile("agent started in (\\d+) ms");
    private static final long ROWS = 2_000_000L;
    private static final String JOB_DONE = "counted " + ROWS + " rows";

    private final Path javaBin = Paths.get(System.getProperty("java.home"), "bin", "java");
    private final String jobClassPath;
    private final Path work;
    private final List<String> sparkOptions;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private int runNumber;

    private SparkJobBenchmark(Path work, String jobClassPath, int shufflePartitions, LocalXRayEndpoint xray)
            throws IOException {
        this.work = work;
        this.jobClassPath = jobClassPath;
        List<String> options = new ArrayList<>();
        options.add("-Xmx1g"); // spark-submit's default spark.driver.memory
        // Spark's own --add-opens list for Java 17, as spark-submit passes it to the driver.
        options.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptions().split(" ")));
        options.add("-Dspark.master=local[2]");
        options.add("-Dspark.ui.enabled=false");
        // Spark's default of 200 is meant for clusters; 4 suit 2M rows on 2 cores (as in sample-jobs' IT).
        options.add("-Dspark.sql.shuffle.partitions=" + shufflePartitions);
        this.sparkOptions = options;
        // The same environment for every variant: only the JVM options differ.
        environment.put("SPARK_HOME", Files.createDirectories(work.resolve("spark-home")).toString());
        environment.put("SPARK_LOCAL_IP", "127.0.0.1");
        environment.putAll(xray.clientEnvironment());
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: SparkJobBenchmark <xray-batch-agent.jar> <opentelemetry-javaagent.jar>"
                    + " <job class path file> [rounds] [warmupRounds] [reference|breakdown] [shufflePartitions]");
            System.exit(2);
        }
        String agentJar = Paths.get(args[0]).toAbsolutePath().toString();
        String otelJar = Paths.get(args[1]).toAbsolutePath().toString();
        String classPath = new String(Files.readAllBytes(Paths.get(args[2])), StandardCharsets.UTF_8).trim();
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        String set = args.length > 5 ? args[5] : "reference";
        int shufflePartitions = args.length > 6 ? Integer.parseInt(args[6]) : 4;

        // Without TCP_NODELAY the JDK server's small answers meet the client's delayed ACKs: ~40 ms per call,
        // which the agent's exit flush would wait for. The JDK reads this once, at the first HttpServer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Path work = Files.createTempDirectory("xray-batch-spark");
        try (LocalXRayEndpoint xray = LocalXRayEndpoint.start()) {
            SparkJobBenchmark bench = new SparkJobBenchmark(work, classPath, shufflePartitions, xray);
            String agent = "-javaagent:" + agentJar;
            List<Variant> variants;
            if (set.equals("breakdown")) {
                variants = Arrays.asList(
                        new Variant("no agent", false),
                        new Variant("agent -> file, all on", true, agent, "-Dxraybatch.exporter=file"),
                        new Variant("agent -> file, spark.enabled=false", true, agent, "-Dxraybatch.exporter=file",
                                "-Dxraybatch.spark.enabled=false"),
                        new Variant("agent -> file, spark, context, AWS SDK off", true, agent,
                                "-Dxraybatch.exporter=file", "-Dxraybatch.spark.enabled=false",
                                "-Dxraybatch.context_propagation=false", "-Dxraybatch.aws_sdk.v1.enabled=false",
                                "-Dxraybatch.aws_sdk.v2.enabled=false"));
            } else if (set.equals("reference")) {
                variants = Arrays.asList(
                        new Variant("no agent", false),
                        new Variant("xray-batch-agent -> local X-Ray API", true, agent, "-Dxraybatch.exporter=xray"),
                        new Variant("xray-batch-agent -> file", true, agent, "-Dxraybatch.exporter=file"),
                        new Variant("OpenTelemetry agent 2.33.1, exporters off", false, "-javaagent:" + otelJar,
                                "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none",
                                "-Dotel.logs.exporter=none"));
            } else {
                throw new IllegalArgumentException("variant set must be reference or breakdown: " + set);
            }
            System.out.printf("Spark job: %s, %,d rows, local[2], %d shuffle partitions, -Xmx1g; %d rounds after %d"
                            + " warm-up round(s), order rotating; %s; load average before %s%n",
                    UuidSortJob.class.getSimpleName(), ROWS, shufflePartitions, rounds, warmup,
                    System.getProperty("java.vm.version"), Stats.loadAverage());
            bench.pairedRuns(variants, rounds, warmup);
            int xrayRuns = set.equals("reference") ? rounds + warmup : 0;
            System.out.printf("  the local X-Ray endpoint accepted %d documents from %d runs (%d problems found in"
                            + " them); load average after %s%n", xray.documentCount(), xrayRuns,
                    xray.violations().size(), Stats.loadAverage());
            if (set.equals("breakdown")) {
                bench.profiledRun(agent);
            }
        } finally {
            Stats.deleteRecursively(work);
        }
    }

    // ---------------------------------------------------------------- paired runs

    private void pairedRuns(List<Variant> variants, int rounds, int warmup) throws Exception {
        PairedRounds.run(variants, rounds, warmup, v -> run(v.options));
        PairedRounds.print(variants, System.out);
    }

    // ---------------------------------------------------------------- one run under JFR

    private void profiledRun(String agent) throws Exception {
        Path recording = work.resolve("agent.jfr");
        List<String> options = new ArrayList<>(Arrays.asList(agent, "-Dxraybatch.exporter=file",
                "-Dxraybatch.debug=true", "-XX:FlightRecorderOptions=stackdepth=256",
                "-XX:StartFlightRecording=filename=" + recording + ",settings=profile"));
        TimedRun run = run(options);
        Matcher started = STARTED.matcher(run.stderr);
        System.out.printf("One agent run under JFR (profile settings, all on, -> file): wall %.2f s, CPU %.2f s;"
                        + " %s; %s%n", run.wallSeconds, run.cpuSeconds,
                started.find() ? started.group() : "no start-up debug line", PairedRounds.closingLine(run).group());
        AgentSampleSplit.of(recording).print(System.out);
    }

    // ---------------------------------------------------------------- one child JVM

    private TimedRun run(List<String> agentOptions) throws IOException, InterruptedException {
        int number = ++runNumber;
        List<String> command = new ArrayList<>(Collections.singletonList(javaBin.toString()));
        command.addAll(agentOptions);
        command.add("-Dxraybatch.trace_file=" + work.resolve("trace-" + number + ".jsonl"));
        command.addAll(sparkOptions);
        command.addAll(Arrays.asList("-cp", jobClassPath, UuidSortJob.class.getName(), Long.toString(ROWS)));
        TimedRun run = TimedRun.of(command, work, environment, Duration.ofMinutes(10));
        if (!run.stdout.contains(JOB_DONE)) {
            throw new IllegalStateException("the Spark job did not finish its work: " + command + "\n" + run.stdout
                    + "\n" + run.stderr);
        }
        return run;
    }
}
