package dev.xraybatch.benchmarks.awssdk;

import static dev.xraybatch.benchmarks.process.Stats.median;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The agent's added cost per AWS SDK v2 call, paired: {@link AwsSdkCallBenchmark} in one fork per variant per
 * round, the variants' order rotating from round to round, so that a machine getting busier or quieter weighs on
 * all of them alike. Variants: no agent; the agent with its defaults (past 20 calls under one parent, a call only
 * counts into the summary: the steady state of a chatty job); the agent recording every call as a subsegment of its
 * own ({@code aws_sdk.summary_after} out of reach). The agent exports to a file in a temporary folder; the file is
 * checked afterwards, so that no figure comes from a run in which the SDK was not traced.
 *
 * <p>Usage: {@code AwsSdkCallRunner <xray-batch-agent.jar> <rounds> [JMH options, e.g. -i 10]}.
 */
public final class AwsSdkCallRunner {
    private static final String BASELINE = "no agent";

    private AwsSdkCallRunner() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: AwsSdkCallRunner <xray-batch-agent.jar> <rounds> [JMH options]");
            System.exit(2);
        }
        String agentJar = Paths.get(args[0]).toAbsolutePath().toString();
        int rounds = Integer.parseInt(args[1]);
        Options common = new CommandLineOptions(Arrays.copyOfRange(args, 2, args.length));

        Path work = Files.createTempDirectory("xray-batch-aws-sdk-calls");
        try {
            Path traceFile = work.resolve("trace.jsonl");
            String agent = "-javaagent:" + agentJar + "=exporter=file,trace_file=" + traceFile;
            Map<String, String> variants = new LinkedHashMap<>();
            variants.put(BASELINE, null);
            variants.put("agent, defaults (summarized)", agent);
            variants.put("agent, every call a subsegment", agent + ",aws_sdk.summary_after=1000000000");

            Map<String, List<Figures>> runs = new LinkedHashMap<>();
            List<String> names = new ArrayList<>(variants.keySet());
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get((round + i) % names.size());
                    System.out.printf("== round %d/%d: %s%n", round + 1, rounds, name);
                    Figures f = run(common, variants.get(name), work.resolve("cpu-" + round + "-" + i));
                    runs.computeIfAbsent(name, k -> new ArrayList<>()).add(f);
                }
            }
            report(runs, rounds);
            checkTrace(traceFile);
        } finally {
            try (Stream<Path> paths = Files.walk(work)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One fork's figures: JMH's score (wall time per call) and the calling thread's CPU time per call, in µs. */
    private static final class Figures {
        final double wall;
        final double cpu;

        Figures(double wall, double cpu) {
            this.wall = wall;
            this.cpu = cpu;
        }
    }

    private static Figures run(Options common, String agent, Path cpuFile) throws Exception {
        OptionsBuilder options = new OptionsBuilder();
        options.parent(common).include(AwsSdkCallBenchmark.class.getName() + "\\.").forks(1)
                .verbosity(VerboseMode.SILENT);
        List<String> jvmArgs = new ArrayList<>(Arrays.asList("-Xmx1g", "-Dbench.cpu.file=" + cpuFile));
        if (agent != null) {
            jvmArgs.add(agent);
        }
        options.jvmArgsAppend(jvmArgs.toArray(new String[0]));
        Options built = options.build();
        RunResult result = new Runner(built).runSingle();
        double wall = result.getPrimaryResult().getScore();
        // The measured iterations are the last ones the fork wrote; their median.
        List<Double> perIteration = new ArrayList<>();
        for (String line : Files.readAllLines(cpuFile, StandardCharsets.US_ASCII)) {
            perIteration.add(Double.parseDouble(line.trim()) / 1000.0);
        }
        int measured = built.getMeasurementIterations().orElse(5);
        List<Double> last = perIteration.subList(Math.max(0, perIteration.size() - measured), perIteration.size());
        System.out.printf("   wall %.1f µs/call, caller CPU %.1f µs/call%n", wall, median(last));
        return new Figures(wall, median(last));
    }

    private static void report(Map<String, List<Figures>> runs, int rounds) {
        List<Figures> base = runs.get(BASELINE);
        System.out.println();
        System.out.printf("DynamoDB GetItem, SDK v2 sync client on loopback; medians over %d paired rounds%n", rounds);
        System.out.printf("  %-32s %12s %14s   %s%n", "", "wall µs/call", "caller CPU µs", "added per call (paired)");
        for (Map.Entry<String, List<Figures>> e : runs.entrySet()) {
            List<Figures> runsOf = e.getValue();
            String added = "";
            if (!e.getKey().equals(BASELINE)) {
                List<Double> wallDiff = new ArrayList<>();
                List<Double> cpuDiff = new ArrayList<>();
                List<Double> cpuShare = new ArrayList<>();
                for (int r = 0; r < runsOf.size(); r++) {
                    wallDiff.add(runsOf.get(r).wall - base.get(r).wall);
                    cpuDiff.add(runsOf.get(r).cpu - base.get(r).cpu);
                    cpuShare.add(100.0 * (runsOf.get(r).cpu - base.get(r).cpu) / base.get(r).wall);
                }
                added = String.format("wall %+.2f µs (%+.1f%%), CPU %+.2f µs (%+.1f%% of the call's wall time)",
                        median(wallDiff), 100.0 * median(wallDiff) / median(walls(base)), median(cpuDiff),
                        median(cpuShare));
            }
            System.out.printf("  %-32s %12.1f %14.1f   %s%n", e.getKey(), median(walls(runsOf)), median(cpus(runsOf)),
                    added);
        }
    }

    private static List<Double> walls(List<Figures> runs) {
        List<Double> values = new ArrayList<>();
        runs.forEach(f -> values.add(f.wall));
        return values;
    }

    private static List<Double> cpus(List<Figures> runs) {
        List<Double> values = new ArrayList<>();
        runs.forEach(f -> values.add(f.cpu));
        return values;
    }

    /** Proof that the agent traced the calls: DynamoDb GetItem subsegments and a summary in the trace file. */
    private static void checkTrace(Path traceFile) throws IOException {
        if (!Files.exists(traceFile)) {
            throw new IllegalStateException("the agent wrote no trace file " + traceFile
                    + ": the SDK calls were not traced, the figures above are not the agent's");
        }
        long calls = 0;
        long summaries = 0;
        try (Stream<String> lines = Files.lines(traceFile, StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                calls += occurrences(line, "\"operation\":\"GetItem\"");
                summaries += occurrences(line, "\"summary\":");
            }
        }
        System.out.printf("Trace file: %d GetItem subsegments, %d summaries (documents past the export queue's"
                + " capacity are dropped and counted: see the forks' stderr)%n", calls, summaries);
        if (calls == 0 || summaries == 0) {
            throw new IllegalStateException("no GetItem subsegment or no summary in " + traceFile
                    + ": the agent did not trace the SDK calls as expected");
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
