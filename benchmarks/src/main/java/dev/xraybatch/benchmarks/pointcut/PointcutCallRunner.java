package dev.xraybatch.benchmarks.pointcut;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs {@link PointcutCallBenchmark} in forks started with the agent ({@code -javaagent:...=config=per-call.yaml},
 * file exporter into a temporary folder: {@code exporter=none} would switch tracing off), then its two baselines
 * in forks without the agent, and prints the added cost per call. Checks the trace file afterwards, so a figure
 * never comes from a run in which the pointcuts did not apply.
 *
 * <p>Usage: {@code PointcutCallRunner <xray-batch-agent.jar> [JMH options, e.g. -f 2 -i 10]}.
 */
public final class PointcutCallRunner {
    private static final String BENCHMARK = PointcutCallBenchmark.class.getName();
    private static final String CPU = " cpu";

    private PointcutCallRunner() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: PointcutCallRunner <xray-batch-agent.jar> [JMH options]");
            System.exit(2);
        }
        String agentJar = Paths.get(args[0]).toAbsolutePath().toString();
        String[] jmhArgs = java.util.Arrays.copyOfRange(args, 1, args.length);
        Options common = new CommandLineOptions(jmhArgs);

        Path work = Files.createTempDirectory("xray-batch-pointcut-calls");
        try {
            Path config = work.resolve("per-call.yaml");
            try (InputStream in = PointcutCallRunner.class.getResourceAsStream("/pointcut/per-call.yaml")) {
                Files.copy(in, config, StandardCopyOption.REPLACE_EXISTING);
            }
            Path traceFile = work.resolve("trace.jsonl");
            String agent = "-javaagent:" + agentJar + "=config=" + config + ",exporter=file,trace_file=" + traceFile;

            Map<String, Result<?>> withAgent = scores(new Runner(new OptionsBuilder().parent(common)
                    .include(BENCHMARK + "\\.")
                    .jvmArgsAppend("-Xmx1g", agent)
                    .addProfiler(ThreadCpuProfiler.class)
                    .build()).run());
            Map<String, Result<?>> withoutAgent = scores(new Runner(new OptionsBuilder().parent(common)
                    .include(BENCHMARK + "\\.(unmatched|matched)$")
                    .jvmArgsAppend("-Xmx1g")
                    .addProfiler(ThreadCpuProfiler.class)
                    .build()).run());

            System.out.println();
            System.out.println("Added cost per call: pointcut method minus the same method unmatched, both in the JVM"
                    + " with the agent; CPU = the benchmark thread's CPU time per call (what the job pays), wall ="
                    + " JMH's score (also counts waiting for a core on a loaded machine):");
            difference("matched, every call a subsegment", withAgent, "matched", "unmatched");
            difference("matched, past its limit (summarized)", withAgent, "matchedPastLimit", "unmatched");
            difference("argument as name and annotation", withAgent, "capturingArgument", "unmatchedWithArguments");
            difference("argument capture, past its limit", withAgent, "capturingArgumentPastLimit",
                    "unmatchedWithArguments");
            System.out.println("Without the agent (sanity: the two methods cost the same):");
            difference("Traced.step vs Untraced.step", withoutAgent, "matched", "unmatched");
            difference("unmatched with agent vs without", withAgent, withoutAgent, "unmatched");
            checkTrace(traceFile);
        } finally {
            try (Stream<Path> paths = Files.walk(work)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Per benchmark: JMH's wall-clock score under its name, the thread's CPU time under name + " cpu". */
    private static Map<String, Result<?>> scores(Collection<RunResult> results) {
        Map<String, Result<?>> scores = new HashMap<>();
        for (RunResult result : results) {
            String label = result.getParams().getBenchmark();
            String name = label.substring(label.lastIndexOf('.') + 1);
            scores.put(name, result.getPrimaryResult());
            scores.put(name + CPU, result.getSecondaryResults().get(ThreadCpuProfiler.RESULT));
        }
        return scores;
    }

    private static void difference(String what, Map<String, Result<?>> scores, String benchmark, String baseline) {
        difference(what, scores, scores, benchmark, baseline);
    }

    private static void difference(String what, Map<String, Result<?>> left, Map<String, Result<?>> right,
                                   String benchmark) {
        difference(what, left, right, benchmark, benchmark);
    }

    private static void difference(String what, Map<String, Result<?>> left, Map<String, Result<?>> right,
                                   String benchmark, String baseline) {
        Result<?> a = left.get(benchmark);
        Result<?> b = right.get(baseline);
        Result<?> aCpu = left.get(benchmark + CPU);
        Result<?> bCpu = right.get(baseline + CPU);
        if (a == null || b == null || aCpu == null || bCpu == null) {
            System.out.printf("  %-40s (not run)%n", what);
            return;
        }
        System.out.printf("  %-40s CPU %7.1f ns (%.1f - %.1f)   wall %7.1f ns (%.1f ± %.1f - %.1f ± %.1f)%n", what,
                aCpu.getScore() - bCpu.getScore(), aCpu.getScore(), bCpu.getScore(), a.getScore() - b.getScore(),
                a.getScore(), a.getScoreError(), b.getScore(), b.getScoreError());
    }

    /** The documents the agent wrote: proof that the pointcuts applied, and how many subsegments got through. */
    private static void checkTrace(Path traceFile) throws IOException {
        if (!Files.exists(traceFile)) {
            throw new IllegalStateException("the agent wrote no trace file " + traceFile
                    + ": the pointcuts did not apply, the figures above are not the agent's");
        }
        String[] names = {"\"Traced.step\"", "\"Traced.hot\"", "\"load orders\""};
        long[] counts = new long[names.length];
        long summaries = 0;
        long documents = 0;
        try (Stream<String> lines = Files.lines(traceFile, StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                documents++;
                for (int i = 0; i < names.length; i++) {
                    counts[i] += occurrences(line, "\"name\":" + names[i]);
                }
                summaries += occurrences(line, "\"summary\":");
            }
        }
        System.out.printf("Trace file: %d documents; subsegments named Traced.step %d, Traced.hot %d, 'load orders'"
                + " %d, summaries %d (documents past the export queue's capacity are dropped and counted: see the"
                + " forks' stderr)%n", documents, counts[0], counts[1], counts[2], summaries);
        for (int i = 0; i < names.length; i++) {
            if (counts[i] == 0) {
                throw new IllegalStateException("no subsegment named " + names[i] + " in " + traceFile
                        + ": that pointcut did not apply");
            }
        }
    }

    private static long occurrences(String text, String part) {
        long n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            n++;
        }
        return n;
    }
}
