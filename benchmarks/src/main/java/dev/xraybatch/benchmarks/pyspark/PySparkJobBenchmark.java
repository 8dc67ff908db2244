package dev.xraybatch.benchmarks.pyspark;

import dev.xraybatch.benchmarks.process.PairedRounds;
import dev.xraybatch.benchmarks.process.PairedRounds.Variant;
import dev.xraybatch.benchmarks.process.Stats;
import dev.xraybatch.benchmarks.process.TimedRun;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.PySpark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whole-process cost of the agent on a real PySpark job ({@code benchmarks/src/main/python/uuid_sort_job.py}, the
 * shape of {@code spark/UuidSortJob}), run as users run it: {@code spark-submit --master local[2]} from real
 * PySpark 3.5.2 (test-support's {@link PySpark}: the SPARK_HOME of {@code shared/pyspark-3.5.2}), with and without
 * {@code spark.driver.extraJavaOptions=-javaagent:...}. The agent's run is the guide's automatic route: its Python
 * module on the driver's path, every action traced from Python, the executor (the driver JVM) timing the Python
 * workers. It exports to a {@link LocalXRayEndpoint} (fake credentials, SigV4 and documents checked), as the Spark
 * job benchmark does.
 *
 * <p>Each run is a fresh process tree: spark-submit's JVM, the Python driver it starts, PySpark's worker daemon and
 * its workers. Wall time is until the last of them ended. CPU (user + system) is the whole tree's as
 * {@code whole_tree.py} accounts for it: what getrusage sees of the processes that were waited for (it adopts and
 * reaps those that outlive the JVM), plus the Python workers, which PySpark's daemon leaves to the kernel to reap
 * (it ignores SIGCHLD), so that no rusage holds them, sampled from {@code /proc}; the script's own CPU is left out.
 * Peak RSS is GNU time's (the largest process: the JVM). Variants run round by round with the order rotating; ratios are against the no-agent run of
 * the same round (paired) and of the medians. Every agent run's closing line is read back.
 *
 * <p>Variant sets: {@code reference} (no agent; the agent with its defaults); {@code breakdown} (no agent; the
 * agent; with {@code spark.python_module=false}; with {@code spark.enabled=false}), each run also printing the CPU
 * split between the JVM and the Python processes ({@code whole_tree.py --split}).
 *
 * <p>Usage: {@code PySparkJobBenchmark <xray-batch-agent.jar> <uuid_sort_job.py> <whole_tree.py> [rounds]
 * [warmupRounds] [reference|breakdown] [shufflePartitions]}; the SPARK_HOME from {@code -Dpyspark.home} or
 * {@code -Dpyspark.home.script}. Needs GNU {@code /usr/bin/time} and python3.
 */
public final class PySparkJobBenchmark {
    private static final long ROWS = 2_000_000L;
    private static final String JOB_DONE = "counted " + ROWS + " rows sorted by a random UUID, 16 groups";
    private static final Pattern SPLIT = Pattern.compile("\\[whole-tree\\] CPU by command[^\\n]*");
    private static final Pattern TREE_CPU = Pattern.compile("\\[whole-tree\\] CPU s: waited-for ([0-9.]+)"
            + " auto-reaped ([0-9.]+) \\((\\d+) processes\\) self ([0-9.]+)");
    private static final Pattern ORPHANS = Pattern.compile("\\[whole-tree\\] reaped \\d+ process\\(es\\) that outlived"
            + " the command: ([^\\n]*)");

    private final Path job;
    private final Path wholeTree;
    private final Path work;
    private final int shufflePartitions;
    private final boolean split;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private int runNumber;

    private PySparkJobBenchmark(Path job, Path wholeTree, Path work, int shufflePartitions, boolean split,
                                LocalXRayEndpoint xray) {
        this.job = job;
        this.wholeTree = wholeTree;
        this.work = work;
        this.shufflePartitions = shufflePartitions;
        this.split = split;
        // The same environment for every variant: only the driver's JVM options differ.
        environment.putAll(PySpark.launcherEnvironment());
        environment.putAll(xray.clientEnvironment());
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: PySparkJobBenchmark <xray-batch-agent.jar> <uuid_sort_job.py> <whole_tree.py>"
                    + " [rounds] [warmupRounds] [reference|breakdown] [shufflePartitions]");
            System.exit(2);
        }
        String agentJar = Paths.get(args[0]).toAbsolutePath().toString();
        Path job = Paths.get(args[1]).toAbsolutePath();
        Path wholeTree = Paths.get(args[2]).toAbsolutePath();
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        String set = args.length > 5 ? args[5] : "reference";
        int shufflePartitions = args.length > 6 ? Integer.parseInt(args[6]) : 4;

        String agent = "-javaagent:" + agentJar;
        List<Variant> variants;
        if (set.equals("reference")) {
            variants = Arrays.asList(
                    new Variant("no agent", false),
                    new Variant("xray-batch-agent -> local X-Ray API", true, agent, "-Dxraybatch.exporter=xray"));
        } else if (set.equals("breakdown")) {
            variants = Arrays.asList(
                    new Variant("no agent", false),
                    new Variant("agent, all on", true, agent, "-Dxraybatch.exporter=xray"),
                    new Variant("agent, spark.python_module=false", true, agent, "-Dxraybatch.exporter=xray",
                            "-Dxraybatch.spark.python_module=false"),
                    new Variant("agent, spark.enabled=false", true, agent, "-Dxraybatch.exporter=xray",
                            "-Dxraybatch.spark.enabled=false"));
        } else {
            throw new IllegalArgumentException("variant set must be reference or breakdown: " + set);
        }

        // Without TCP_NODELAY the JDK server's small answers meet the client's delayed ACKs: ~40 ms per call,
        // which the agent's exit flush would wait for. The JDK reads this once, at the first HttpServer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Path work = Files.createTempDirectory("xray-batch-pyspark");
        try (LocalXRayEndpoint xray = LocalXRayEndpoint.start()) {
            PySparkJobBenchmark bench = new PySparkJobBenchmark(job, wholeTree, work, shufflePartitions,
                    set.equals("breakdown"), xray);
            System.out.printf("PySpark job: %s, %,d rows, spark-submit --master local[2] --driver-memory 1g, %d"
                            + " shuffle partitions; PySpark %s, %s, JVM %s; %d rounds after %d warm-up round(s),"
                            + " order rotating; load average before %s%n", job.getFileName(), ROWS,
                    shufflePartitions, PySpark.VERSION, pythonVersion(), System.getProperty("java.vm.version"),
                    rounds, warmup, Stats.loadAverage());
            PairedRounds.run(variants, rounds, warmup, bench::run);
            PairedRounds.print(variants, System.out);
            long agentRuns = variants.stream().filter(v -> v.ours).count() * (rounds + warmup);
            System.out.printf("  the local X-Ray endpoint accepted %d documents from %d agent runs (%d problems"
                            + " found in them); load average after %s%n", xray.documentCount(), agentRuns,
                    xray.violations().size(), Stats.loadAverage());
        } finally {
            Stats.deleteRecursively(work);
        }
    }

    /** One spark-submit of the job, its whole process tree timed. */
    private TimedRun run(Variant variant) throws IOException, InterruptedException {
        int number = ++runNumber;
        List<String> confs = new ArrayList<>(Arrays.asList(
                "--conf", "spark.ui.enabled=false",
                // Spark's default of 200 is meant for clusters; 4 suit 2M rows on 2 cores (as the Spark benchmark).
                "--conf", "spark.sql.shuffle.partitions=" + shufflePartitions));
        if (!variant.options.isEmpty()) {
            confs.add("--conf");
            confs.add("spark.driver.extraJavaOptions=" + String.join(" ", variant.options));
        }
        List<String> command = new ArrayList<>(Arrays.asList("python3", wholeTree.toString()));
        if (split) {
            command.add("--split");
        }
        command.addAll(PySpark.submitCommand(job, "local[2]", confs));
        command.add(Long.toString(ROWS));
        TimedRun timed = TimedRun.of(command, work, environment, Duration.ofMinutes(15));
        if (!timed.stdout.contains(JOB_DONE)) {
            throw new IllegalStateException("the PySpark job did not finish its work: " + command + "\n"
                    + timed.stdout + "\n" + timed.stderr);
        }
        Matcher treeCpu = TREE_CPU.matcher(timed.stderr);
        if (!treeCpu.find()) {
            throw new IllegalStateException("no CPU line from whole_tree.py; its stderr was:\n" + timed.stderr);
        }
        double waitedFor = Double.parseDouble(treeCpu.group(1));
        double autoReaped = Double.parseDouble(treeCpu.group(2));
        // GNU time's CPU is whole_tree.py's own plus what it waited for; the Python workers are not in it.
        TimedRun run = timed.withCpuSeconds(waitedFor + autoReaped);
        Matcher orphans = ORPHANS.matcher(run.stderr);
        Matcher cpuSplit = SPLIT.matcher(run.stderr);
        System.out.printf("  run %d, %s: wall %.2f s, CPU %.2f s (%.2f waited for, %.2f in %s processes the"
                        + " kernel reaped), peak %.0f MiB%s%s%n", number, variant.name, run.wallSeconds,
                run.cpuSeconds, waitedFor, autoReaped, treeCpu.group(3), run.peakRssMiB,
                orphans.find() ? "; outlived the JVM: " + orphans.group(1) : "",
                cpuSplit.find() ? "; " + cpuSplit.group().substring("[whole-tree] ".length()) : "");
        return run;
    }

    private static String pythonVersion() throws IOException, InterruptedException {
        Process python = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
        String version = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        python.waitFor();
        return version;
    }
}
