package dev.xraybatch.benchmarks.process;

import static dev.xraybatch.benchmarks.process.Stats.median;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whole-job runs of several variants (no agent first), interleaved round by round with the order rotating, so that
 * load from elsewhere on the machine falls on every variant alike; then the table the Spark and PySpark job
 * benchmarks print: medians of wall, CPU and peak RSS, the ratio of medians and the paired ratios (median, min-max
 * of the per-round ratios against the no-agent run of the same round). Every run of our agent must end with its
 * closing line; their sums are printed, so that a figure bought by dropping documents would show.
 */
public final class PairedRounds {
    private static final Pattern CLOSING_LINE = Pattern.compile("sent (\\d+) documents, retried (\\d+) sends,"
            + " rejected (\\d+) documents, dropped (\\d+) documents and (\\d+) unrendered items");

    /** Runs one variant once. */
    public interface Runner {
        TimedRun run(Variant variant) throws Exception;
    }

    private PairedRounds() {
    }

    /** {@code warmup} rounds (closing lines checked, figures dropped), then {@code rounds} measured rounds. */
    public static void run(List<Variant> variants, int rounds, int warmup, Runner runner) throws Exception {
        for (int r = 0; r < warmup + rounds; r++) {
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get((r + i) % variants.size());
                TimedRun run = runner.run(v);
                if (r >= warmup) {
                    v.runs.add(run);
                }
                if (v.ours) {
                    v.closingLines.add(closingLine(run));
                }
            }
        }
    }

    /** The table; the first variant is the one without an agent that every ratio is against. */
    public static void print(List<Variant> variants, PrintStream out) {
        Variant none = variants.get(0);
        double noneWall = median(none.values(run -> run.wallSeconds));
        double noneCpu = median(none.values(run -> run.cpuSeconds));
        double noneRss = median(none.values(run -> run.peakRssMiB));
        out.printf("%-44s %7s %6s %18s %7s %6s %18s %8s %6s%n", "", "wall s", "ratio", "paired (min-max)",
                "CPU s", "ratio", "paired (min-max)", "peak MiB", "+MiB");
        for (Variant v : variants) {
            List<Double> wallRatios = new ArrayList<>();
            List<Double> cpuRatios = new ArrayList<>();
            for (int i = 0; i < v.runs.size(); i++) {
                wallRatios.add(v.runs.get(i).wallSeconds / none.runs.get(i).wallSeconds);
                cpuRatios.add(v.runs.get(i).cpuSeconds / none.runs.get(i).cpuSeconds);
            }
            double wall = median(v.values(run -> run.wallSeconds));
            double cpu = median(v.values(run -> run.cpuSeconds));
            double rss = median(v.values(run -> run.peakRssMiB));
            out.printf("%-44s %7.2f %5.2fx %6.2fx (%.2f-%.2f) %7.2f %5.2fx %6.2fx (%.2f-%.2f) %8.0f %+6.0f%n",
                    v.name, wall, wall / noneWall, median(wallRatios), Collections.min(wallRatios),
                    Collections.max(wallRatios), cpu, cpu / noneCpu, median(cpuRatios), Collections.min(cpuRatios),
                    Collections.max(cpuRatios), rss, rss - noneRss);
        }
        out.printf("  noise: no-agent wall %.2f-%.2f s over its %d runs%n",
                Collections.min(none.values(run -> run.wallSeconds)),
                Collections.max(none.values(run -> run.wallSeconds)), none.runs.size());
        for (Variant v : variants) {
            if (v.ours) {
                out.printf("  %s, the agent's closing lines over %d runs: %s%n", v.name, v.closingLines.size(),
                        closingTotals(v.closingLines));
            }
        }
    }

    /** The agent's closing line; its absence is a failure, not a run without losses. */
    public static Matcher closingLine(TimedRun run) {
        Matcher line = CLOSING_LINE.matcher(run.stderr);
        if (!line.find()) {
            throw new IllegalStateException("no closing line from the agent; its stderr was:\n" + run.stderr);
        }
        return line;
    }

    /** Sums of the agent's closing lines: what was sent, and everything that was not. */
    private static String closingTotals(List<Matcher> lines) {
        long[] sums = new long[5];
        long minSent = Long.MAX_VALUE;
        long maxSent = 0;
        for (Matcher line : lines) {
            for (int i = 0; i < sums.length; i++) {
                sums[i] += Long.parseLong(line.group(i + 1));
            }
            minSent = Math.min(minSent, Long.parseLong(line.group(1)));
            maxSent = Math.max(maxSent, Long.parseLong(line.group(1)));
        }
        return String.format("sent %d-%d documents per run; in all retried %d sends, rejected %d documents,"
                + " dropped %d documents and %d unrendered items", minSent, maxSent, sums[1], sums[2], sums[3],
                sums[4]);
    }

    /** One way of running the job: its name in the table, whether it is our agent, and its options. */
    public static final class Variant {
        public final String name;
        /** Our agent: its closing line is read back. */
        public final boolean ours;
        public final List<String> options;
        final List<TimedRun> runs = new ArrayList<>();
        /** Warm-up rounds included: a dropped document counts wherever it happened. */
        final List<Matcher> closingLines = new ArrayList<>();

        public Variant(String name, boolean ours, String... options) {
            this.name = name;
            this.ours = ours;
            this.options = Arrays.asList(options);
        }

        List<Double> values(ToDoubleFunction<TimedRun> field) {
            List<Double> out = new ArrayList<>();
            runs.forEach(r -> out.add(field.applyAsDouble(r)));
            return out;
        }
    }
}
