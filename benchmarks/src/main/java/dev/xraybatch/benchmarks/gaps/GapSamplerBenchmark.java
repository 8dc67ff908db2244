package dev.xraybatch.benchmarks.gaps;

import dev.xraybatch.benchmarks.process.PairedRounds;
import dev.xraybatch.benchmarks.process.PairedRounds.Variant;
import dev.xraybatch.benchmarks.process.Stats;
import dev.xraybatch.benchmarks.process.TimedRun;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What sampling the main thread's time outside subsegments costs (gaps.enabled): {@link OwnCodeJob}, which spends
 * its whole run (about ten seconds) outside any subsegment, run with the agent and the sampler off (the baseline
 * every ratio is against), on at its default interval, and at the shortest allowed; rounds interleaved with the
 * order rotating. Two figures: the CPU ratio (user + system of the whole process, from {@code /usr/bin/time}),
 * paired by round, and the sampler thread's own CPU time as the job measures it at its end (a share of the
 * process's CPU), which a busy machine's noise does not drown.
 *
 * <p>Usage: {@code GapSamplerBenchmark <xray-batch-agent.jar> [rounds] [warm-up rounds] [job rounds] [handoff]};
 * with {@code handoff} the job computes on a pool's thread while main waits for it.
 */
public final class GapSamplerBenchmark {
    private static final Pattern SAMPLER_CPU = Pattern.compile(
            "sampler_cpu_ms=([0-9.]+) process_cpu_ms=([0-9.]+) uptime_ms=([0-9]+)");
    private static final Map<String, List<Double>> samplerShares = new HashMap<>();
    private static final Map<String, List<Double>> samplerPerWall = new HashMap<>();

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: GapSamplerBenchmark <xray-batch-agent.jar> [rounds] [warm-up] [job rounds]");
            System.exit(2);
        }
        String agent = "-javaagent:" + Paths.get(args[0]).toAbsolutePath();
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        String jobRounds = args.length > 3 ? args[3] : "20";
        String mode = args.length > 4 ? args[4] : "";
        Path work = Files.createTempDirectory("gaps-bench");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        // Absolute: the child runs in the work folder.
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Paths.get(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
        List<Variant> variants = Arrays.asList(
                new Variant("agent -> file, gaps.enabled=false", true, agent, "-Dxraybatch.gaps.enabled=false"),
                new Variant("agent -> file, gaps on (sample_ms 50)", true, agent),
                new Variant("agent -> file, gaps on, sample_ms=20", true, agent, "-Dxraybatch.gaps.sample_ms=20"));
        int[] number = {0};
        try {
            System.out.printf("Gap sampler: %s with %s rounds of computing%s and sleeping, all outside subsegments;"
                            + " %d rounds after %d warm-up round(s), order rotating; %s; load average before %s%n",
                    OwnCodeJob.class.getSimpleName(), jobRounds,
                    mode.equals("handoff") ? " (on a pool's thread, main waiting for it)" : "", rounds, warmup,
                    System.getProperty("java.vm.version"), Stats.loadAverage());
            PairedRounds.run(variants, rounds, warmup, v -> {
                List<String> command = new ArrayList<>(Collections.singletonList(java));
                command.addAll(v.options);
                command.add("-Dxraybatch.exporter=file");
                command.add("-Dxraybatch.trace_file=" + work.resolve("trace-" + ++number[0] + ".jsonl"));
                command.addAll(Arrays.asList("-cp", classPath, OwnCodeJob.class.getName(), jobRounds));
                if (!mode.isEmpty()) {
                    command.add(mode);
                }
                TimedRun run = TimedRun.of(command, work, Collections.emptyMap(), Duration.ofMinutes(5));
                if (!run.stdout.contains(OwnCodeJob.DONE)) {
                    throw new IllegalStateException("the job did not finish: " + run.stdout + run.stderr);
                }
                Matcher cpu = SAMPLER_CPU.matcher(run.stdout);
                if (cpu.find()) {
                    samplerShares.computeIfAbsent(v.name, k -> new ArrayList<>()).add(
                            Double.parseDouble(cpu.group(1)) / Double.parseDouble(cpu.group(2)));
                    samplerPerWall.computeIfAbsent(v.name, k -> new ArrayList<>()).add(
                            Double.parseDouble(cpu.group(1)) / Double.parseDouble(cpu.group(3)));
                }
                return run;
            });
            System.out.println("(ratios against the first line: the same agent with the sampler off)");
            PairedRounds.print(variants, System.out);
            System.out.println("The sampler thread's own CPU time, measured in each run (median, min-max over the runs):");
            for (Variant v : variants) {
                List<Double> shares = samplerShares.getOrDefault(v.name, Collections.emptyList());
                List<Double> perWall = samplerPerWall.getOrDefault(v.name, Collections.emptyList());
                if (!shares.isEmpty()) {
                    System.out.printf("  %-44s %.3f%% of the process's CPU (%.3f-%.3f%%), %.3f%% of a core over the"
                                    + " run%n", v.name, 100 * Stats.median(shares), 100 * Collections.min(shares),
                            100 * Collections.max(shares), 100 * Stats.median(perWall));
                }
            }
            System.out.printf("  load average after %s%n", Stats.loadAverage());
        } finally {
            Stats.deleteRecursively(work);
        }
    }
}
