package dev.xraybatch.benchmarks.startup;

import static dev.xraybatch.benchmarks.process.Stats.median;

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

/**
 * Whole-process cost of the agent on a trivial job ({@link TrivialJob}): wall time, peak RSS and CPU, without an
 * agent, with ours exporting to a {@link LocalXRayEndpoint}, with ours writing a JSON-lines file (no AWS SDK at all:
 * shows what the SDK costs), and with the OpenTelemetry agent (exporters off) as the reference. Runs are
 * interleaved round by round, the order rotating each round, so that load from elsewhere on the machine falls on
 * every variant alike; ratios are against the no-agent runs of the same invocation.
 *
 * <p>Then: the agent's own start-up split and exit flush (its debug lines), and the classes each variant loads.
 *
 * <p>Usage: {@code StartupBenchmark <xray-batch-agent.jar> <opentelemetry-javaagent.jar> [rounds] [warmupRounds]}.
 * Needs {@code /usr/bin/time} (GNU) for peak RSS.
 */
public final class StartupBenchmark {
    private static final Pattern STARTED = Pattern.compile(
            "agent started in (\\d+) ms \\(config and trace (\\d+) ms, export (\\d+) ms, instrumentation (\\d+) ms\\)");
    private static final Pattern FLUSHED = Pattern.compile("flushed at exit in (\\d+) ms");
    private static final Pattern COUNTS = Pattern.compile("sent (\\d+) documents, .* dropped (\\d+) documents");

    private final Path javaBin = Paths.get(System.getProperty("java.home"), "bin", "java");
    /** Only the job's own class folder (or jar): the children need nothing else. */
    private final String jobClassPath;
    private final Path work;
    private final Map<String, String> environment = new LinkedHashMap<>();

    private StartupBenchmark(Path work, LocalXRayEndpoint xray) {
        this.work = work;
        try {
            this.jobClassPath = Paths.get(TrivialJob.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        // The same environment for every variant: only the JVM options differ.
        environment.putAll(xray.clientEnvironment());
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: StartupBenchmark <xray-batch-agent.jar> <opentelemetry-javaagent.jar>"
                    + " [rounds] [warmupRounds]");
            System.exit(2);
        }
        String agentJar = Paths.get(args[0]).toAbsolutePath().toString();
        String otelJar = Paths.get(args[1]).toAbsolutePath().toString();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 2;

        Path work = Files.createTempDirectory("xray-batch-startup");
        try (LocalXRayEndpoint xray = LocalXRayEndpoint.start()) {
            StartupBenchmark bench = new StartupBenchmark(work, xray);
            List<Variant> variants = Arrays.asList(
                    new Variant("no agent"),
                    new Variant("xray-batch-agent -> local X-Ray API", "-javaagent:" + agentJar,
                            "-Dxraybatch.exporter=xray"),
                    new Variant("xray-batch-agent -> local X-Ray API, AWS SDK client", "-javaagent:" + agentJar,
                            "-Dxraybatch.exporter=xray", "-Dxraybatch.xray_client=sdk"),
                    new Variant("xray-batch-agent -> file (no AWS SDK)", "-javaagent:" + agentJar,
                            "-Dxraybatch.exporter=file"),
                    new Variant("OpenTelemetry agent 2.33.1, exporters off", "-javaagent:" + otelJar,
                            "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none",
                            "-Dotel.logs.exporter=none"));
            bench.pairedRuns(variants, rounds, warmup, xray);
            bench.agentSplit(agentJar, Math.max(5, rounds / 2));
            bench.classesLoaded(variants);
        } finally {
            Stats.deleteRecursively(work);
        }
    }

    // ---------------------------------------------------------------- paired runs

    private void pairedRuns(List<Variant> variants, int rounds, int warmup, LocalXRayEndpoint xray)
            throws Exception {
        System.out.printf("Start-up: %s, %d rounds after %d warm-up rounds, order rotating; %s%n",
                TrivialJob.class.getSimpleName(), rounds, warmup, System.getProperty("java.vm.version"));
        for (int r = 0; r < warmup + rounds; r++) {
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get((r + i) % variants.size());
                TimedRun run = run(v.options);
                if (r >= warmup) {
                    v.runs.add(run);
                }
            }
        }
        int documents = xray.documents().size();
        Variant none = variants.get(0);
        double noneWall = median(none.walls());
        double noneRss = median(none.rssMiB());
        System.out.printf("%-44s %9s %7s %17s %10s %9s %9s%n", "", "wall s", "ratio", "paired (min-max)",
                "peak MiB", "+MiB", "CPU s");
        for (Variant v : variants) {
            List<Double> paired = new ArrayList<>();
            for (int i = 0; i < v.runs.size(); i++) {
                paired.add(v.runs.get(i).wallSeconds / none.runs.get(i).wallSeconds);
            }
            double wall = median(v.walls());
            double rss = median(v.rssMiB());
            System.out.printf("%-44s %9.3f %6.2fx %6.2fx (%.2f-%.2f) %10.0f %+9.0f %9.2f%n", v.name, wall,
                    wall / noneWall, median(paired), Collections.min(paired), Collections.max(paired), rss,
                    rss - noneRss, median(v.cpu()));
        }
        System.out.printf("  noise: no-agent wall %.3f-%.3f s over its %d runs. The local endpoint accepted %d"
                        + " documents (%d problems) from %d runs exporting to it (2 expected per run: in progress and"
                        + " complete)%n", Collections.min(none.walls()), Collections.max(none.walls()),
                none.runs.size(), documents, xray.violations().size(), warmup + rounds);
    }

    // ---------------------------------------------------------------- the agent's own split

    private void agentSplit(String agentJar, int runs) throws Exception {
        for (String client : new String[] {"builtin", "sdk"}) {
            agentSplit(agentJar, runs, client);
        }
    }

    private void agentSplit(String agentJar, int runs, String client) throws Exception {
        List<List<Double>> parts = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            parts.add(new ArrayList<>());
        }
        for (int i = 0; i < runs; i++) {
            TimedRun run = run(Arrays.asList("-javaagent:" + agentJar, "-Dxraybatch.exporter=xray",
                    "-Dxraybatch.xray_client=" + client, "-Dxraybatch.debug=true"));
            Matcher started = STARTED.matcher(run.stderr);
            Matcher flushed = FLUSHED.matcher(run.stderr);
            Matcher counts = COUNTS.matcher(run.stderr);
            if (!started.find() || !flushed.find() || !counts.find()) {
                System.out.println("Agent split: debug lines not found; stderr was:\n" + run.stderr);
                return;
            }
            for (int p = 0; p < 4; p++) {
                parts.get(p).add(Double.parseDouble(started.group(p + 1)));
            }
            parts.get(4).add(Double.parseDouble(flushed.group(1)));
            parts.get(5).add(Double.parseDouble(counts.group(1)));
            parts.get(6).add(Double.parseDouble(counts.group(2)));
        }
        System.out.printf("Agent split, " + client + " X-Ray client (-Dxraybatch.debug=true, median of %d runs): started in %.0f ms (config and"
                        + " trace %.0f ms, export %.0f ms, instrumentation %.0f ms); flushed at exit in %.0f ms"
                        + " (max %.0f); the agent's exit line: sent %.0f, dropped %.0f documents (medians; a flush that"
                        + " reaches the shutdown deadline drops what it still holds)%n", runs, median(parts.get(0)),
                median(parts.get(1)), median(parts.get(2)), median(parts.get(3)), median(parts.get(4)),
                Collections.max(parts.get(4)), median(parts.get(5)), median(parts.get(6)));
    }

    // ---------------------------------------------------------------- classes loaded

    private void classesLoaded(List<Variant> variants) throws Exception {
        System.out.println("Classes loaded (-Xlog:class+load, one run each):");
        for (Variant v : variants) {
            Path log = work.resolve("classes.log");
            Files.deleteIfExists(log);
            List<String> options = new ArrayList<>(v.options);
            options.add("-Xlog:class+load=info:file=" + log);
            run(options);
            long total = 0;
            long sdk = 0;
            long byteBuddy = 0;
            long agent = 0;
            long otel = 0;
            long sharedArchive = 0;
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (!line.contains("source:")) {
                    continue;
                }
                total++;
                if (line.contains("shared objects file")) {
                    sharedArchive++;
                }
                if (line.contains(" dev.xraybatch.agent.shaded.software.amazon.")) {
                    sdk++;
                } else if (line.contains(" dev.xraybatch.agent.shaded.net.bytebuddy.")) {
                    byteBuddy++;
                } else if (line.contains(" dev.xraybatch.agent.")) {
                    agent++;
                } else if (line.contains("opentelemetry")) {
                    otel++;
                }
            }
            System.out.printf("  %-44s %6d (from the CDS archive %d; AWS SDK %d, Byte Buddy %d, other agent %d,"
                    + " OpenTelemetry %d)%n", v.name, total, sharedArchive, sdk, byteBuddy, agent, otel);
        }
    }

    // ---------------------------------------------------------------- one child JVM

    private TimedRun run(List<String> jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(Collections.singletonList(javaBin.toString()));
        command.addAll(jvmOptions);
        command.addAll(Arrays.asList("-cp", jobClassPath, TrivialJob.class.getName()));
        return TimedRun.of(command, work, environment, Duration.ofSeconds(120));
    }

    private static final class Variant {
        final String name;
        final List<String> options;
        final List<TimedRun> runs = new ArrayList<>();

        Variant(String name, String... options) {
            this.name = name;
            this.options = Arrays.asList(options);
        }

        List<Double> walls() {
            List<Double> out = new ArrayList<>();
            runs.forEach(r -> out.add(r.wallSeconds));
            return out;
        }

        List<Double> rssMiB() {
            List<Double> out = new ArrayList<>();
            runs.forEach(r -> out.add(r.peakRssMiB));
            return out;
        }

        List<Double> cpu() {
            List<Double> out = new ArrayList<>();
            runs.forEach(r -> out.add(r.cpuSeconds));
            return out;
        }
    }

}
