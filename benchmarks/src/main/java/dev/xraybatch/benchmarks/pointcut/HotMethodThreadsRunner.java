package dev.xraybatch.benchmarks.pointcut;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs {@link HotMethodThreadsBenchmark} in forks with the agent (file exporter into a temporary folder) with 1,
 * 16 and 64 threads and prints, per thread count, the cost of one call traced and untraced in nanoseconds of a
 * core: the cores the machine has (at most the threads) divided by the calls all threads made per nanosecond.
 * Threads that wait for a lock leave their core idle, so waiting shows in this figure as it does in a job's wall
 * time. The goal: the added cost per call at 64 threads at most twice the single thread's.
 *
 * <p>Usage: {@code HotMethodThreadsRunner <xray-batch-agent.jar> [JMH options, e.g. -f 2 -i 10]}.
 */
public final class HotMethodThreadsRunner {
    private static final String BENCHMARK = HotMethodThreadsBenchmark.class.getName();
    private static final int[] THREADS = {1, 16, 64};

    private HotMethodThreadsRunner() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: HotMethodThreadsRunner <xray-batch-agent.jar> [JMH options]");
            System.exit(2);
        }
        String agentJar = Paths.get(args[0]).toAbsolutePath().toString();
        Options common = new CommandLineOptions(Arrays.copyOfRange(args, 1, args.length));
        int cores = Runtime.getRuntime().availableProcessors();
        Path work = Files.createTempDirectory("xray-batch-hot-threads");
        try {
            Path config = work.resolve("per-call.yaml");
            try (InputStream in = HotMethodThreadsRunner.class.getResourceAsStream("/pointcut/per-call.yaml")) {
                Files.copy(in, config, StandardCopyOption.REPLACE_EXISTING);
            }
            Path traceFile = work.resolve("trace.jsonl");
            String agent = "-javaagent:" + agentJar + "=config=" + config + ",exporter=file,trace_file=" + traceFile;
            Map<Integer, Map<String, double[]>> byThreads = new LinkedHashMap<>();
            for (int threads : THREADS) {
                Map<String, double[]> scores = new LinkedHashMap<>();
                for (RunResult result : new Runner(new OptionsBuilder().parent(common)
                        .include(BENCHMARK + "\\.").threads(threads).jvmArgsAppend("-Xmx1g", agent).build()).run()) {
                    String label = result.getParams().getBenchmark();
                    double callsPerMicro = result.getPrimaryResult().getScore();
                    double coreNanos = Math.min(cores, threads) * 1000.0 / callsPerMicro;
                    scores.put(label.substring(label.lastIndexOf('.') + 1), new double[] {coreNanos, callsPerMicro});
                }
                byThreads.put(threads, scores);
            }
            System.out.println();
            System.out.printf("One hot traced method (summarized past limit 1), %d cores; ns of a core per call"
                    + " (calls per microsecond, all threads):%n", cores);
            double single = Double.NaN;
            for (Map.Entry<Integer, Map<String, double[]>> row : byThreads.entrySet()) {
                double[] traced = row.getValue().get("traced");
                double[] untraced = row.getValue().get("untraced");
                double added = traced[0] - untraced[0];
                if (row.getKey() == 1) {
                    single = added;
                }
                System.out.printf("  %2d threads: traced %7.1f ns (%6.2f/us), untraced %7.1f ns (%6.2f/us),"
                        + " added %7.1f ns, %.2fx the single thread's%n", row.getKey(), traced[0], traced[1],
                        untraced[0], untraced[1], added, added / single);
            }
        } finally {
            try (Stream<Path> paths = Files.walk(work)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
