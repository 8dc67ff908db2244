package dev.xraybatch.benchmarks.pointcut;

import static dev.xraybatch.benchmarks.process.Stats.median;

import dev.xraybatch.benchmarks.process.TimedRun;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What 50 pointcuts cost a job's start-up over a class path the size of Spark's: {@link ClassLoadingJob} loads
 * about 5,000 classes spread over Spark's jars, without the agent, with the agent and no pointcuts, and with the
 * agent and {@code pointcut/startup-50.yaml} (and two smaller variants of it, to show which matchers cost).
 * Runs are interleaved round by round with the order rotating; the figures are medians of wall and CPU time
 * (user + system, all threads) and the median of the per-round differences against the agent without pointcuts.
 *
 * <p>Usage: {@code PointcutStartupBenchmark <xray-batch-agent.jar> <file holding the class path> [rounds]
 * [warmupRounds] [classes]}. Needs {@code /usr/bin/time} (GNU).
 */
public final class PointcutStartupBenchmark {
    private static final Pattern STARTED = Pattern.compile("agent started in (\\d+) ms .*instrumentation (\\d+) ms");

    private final Path javaBin = Paths.get(System.getProperty("java.home"), "bin", "java");
    private final Path work;
    private final String classPath;
    private final Path classList;

    private PointcutStartupBenchmark(Path work, String classPath, Path classList) {
        this.work = work;
        this.classPath = classPath;
        this.classList = classList;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: PointcutStartupBenchmark <xray-batch-agent.jar> <class path file> [rounds]"
                    + " [warmupRounds] [classes]");
            System.exit(2);
        }
        String agentJar = Paths.get(args[0]).toAbsolutePath().toString();
        String sparkClassPath = new String(Files.readAllBytes(Paths.get(args[1])), StandardCharsets.UTF_8).trim();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int classes = args.length > 4 ? Integer.parseInt(args[4]) : 5000;

        Path work = Files.createTempDirectory("xray-batch-pointcut-startup");
        try {
            Path classList = work.resolve("classes.txt");
            List<String> names = sparkClasses(sparkClassPath, classes);
            Files.write(classList, names, StandardCharsets.UTF_8);
            String jobLocation = Paths.get(ClassLoadingJob.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI()).toString();
            PointcutStartupBenchmark bench = new PointcutStartupBenchmark(work,
                    jobLocation + java.io.File.pathSeparator + sparkClassPath, classList);

            List<String> all = entries();
            List<String> withoutTypeChecks = keep(all, e -> !e.contains("subtypes_of")
                    && !e.contains("annotated_with"));
            List<String> ownCodeOnly = keep(all, e -> !e.contains("org.apache."));
            String agent = "-javaagent:" + agentJar + "=exporter=file,trace_file=" + work.resolve("trace.jsonl");
            List<Variant> variants = Arrays.asList(
                    new Variant("no agent"),
                    new Variant("agent, no pointcuts", agent),
                    new Variant("agent, 50 pointcuts", agent + ",config=" + bench.pointcutFile("all", all)),
                    new Variant("agent, the " + withoutTypeChecks.size() + " without subtypes/annotations",
                            agent + ",config=" + bench.pointcutFile("names-only", withoutTypeChecks)),
                    new Variant("agent, the " + ownCodeOnly.size() + " for the job's code only (no Spark names)",
                            agent + ",config=" + bench.pointcutFile("own-code", ownCodeOnly)));
            System.out.printf("Start-up with pointcuts: %s loads %d classes from %d Spark jars (class path: %d"
                            + " entries); %d rounds after %d warm-up rounds, order rotating; %s%n",
                    ClassLoadingJob.class.getSimpleName(), names.size(), sparkJars(sparkClassPath).size(),
                    sparkClassPath.split(java.io.File.pathSeparator).length, rounds, warmup,
                    System.getProperty("java.vm.version"));
            bench.pairedRuns(variants, rounds, warmup);
            bench.agentDetails(variants.get(2));
        } finally {
            try (java.util.stream.Stream<Path> paths = Files.walk(work)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ---------------------------------------------------------------- inputs

    /** Every {@code step}-th class of Spark's own jars, sorted, so that the list spreads over all of them. */
    private static List<String> sparkClasses(String classPath, int wanted) throws IOException {
        List<String> names = new ArrayList<>();
        for (String jar : sparkJars(classPath)) {
            try (JarFile file = new JarFile(jar)) {
                Enumeration<JarEntry> entries = file.entries();
                while (entries.hasMoreElements()) {
                    String entry = entries.nextElement().getName();
                    if (entry.endsWith(".class") && !entry.startsWith("META-INF/") && !entry.endsWith("-info.class")) {
                        names.add(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
                    }
                }
            }
        }
        Collections.sort(names);
        int step = Math.max(1, names.size() / wanted);
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < names.size() && chosen.size() < wanted; i += step) {
            chosen.add(names.get(i));
        }
        return chosen;
    }

    private static List<String> sparkJars(String classPath) {
        return Arrays.stream(classPath.split(java.io.File.pathSeparator))
                .filter(p -> Paths.get(p).getFileName().toString().startsWith("spark-") && p.endsWith(".jar"))
                .collect(Collectors.toList());
    }

    /** The pointcut entries of {@code startup-50.yaml}, each starting with its {@code "  - "} line. */
    private static List<String> entries() throws IOException {
        String text;
        try (InputStream in = PointcutStartupBenchmark.class.getResourceAsStream("/pointcut/startup-50.yaml")) {
            text = new String(readAll(in), StandardCharsets.UTF_8);
        }
        List<String> entries = new ArrayList<>();
        StringBuilder entry = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("  - ")) {
                if (entry != null) {
                    entries.add(entry.toString());
                }
                entry = new StringBuilder();
            }
            if (entry != null && !line.trim().startsWith("#")) {
                entry.append(line).append('\n');
            }
        }
        if (entry != null) {
            entries.add(entry.toString());
        }
        return entries;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static List<String> keep(List<String> entries, Predicate<String> which) {
        return entries.stream().filter(which).collect(Collectors.toList());
    }

    private Path pointcutFile(String name, List<String> entries) throws IOException {
        Path file = work.resolve(name + ".yaml");
        Files.write(file, ("pointcuts:\n" + String.join("", entries)).getBytes(StandardCharsets.UTF_8));
        return file;
    }

    // ---------------------------------------------------------------- paired runs

    private void pairedRuns(List<Variant> variants, int rounds, int warmup) throws Exception {
        for (int r = 0; r < warmup + rounds; r++) {
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get((r + i) % variants.size());
                TimedRun run = run(v.options);
                if (r >= warmup) {
                    v.runs.add(run);
                }
            }
        }
        Variant reference = variants.get(1);
        System.out.printf("%-56s %8s %8s   %-27s %-27s%n", "", "wall s", "CPU s",
                "wall vs no pointcuts (min..max)", "CPU vs no pointcuts (min..max)");
        for (Variant v : variants) {
            List<Double> wallDiff = new ArrayList<>();
            List<Double> cpuDiff = new ArrayList<>();
            for (int i = 0; i < v.runs.size(); i++) {
                wallDiff.add(v.runs.get(i).wallSeconds - reference.runs.get(i).wallSeconds);
                cpuDiff.add(v.runs.get(i).cpuSeconds - reference.runs.get(i).cpuSeconds);
            }
            System.out.printf("%-56s %8.3f %8.3f   %+7.3f s (%+.2f..%+.2f)     %+7.3f s (%+.2f..%+.2f)%n", v.name,
                    median(v.walls()), median(v.cpus()), median(wallDiff), Collections.min(wallDiff),
                    Collections.max(wallDiff), median(cpuDiff), Collections.min(cpuDiff), Collections.max(cpuDiff));
        }
        System.out.println("  (per-round differences: each run against the run without pointcuts of the same round)");
        System.out.println("  job said: " + reference.runs.get(0).stdout.trim());
    }

    /** The agent's own account for one variant: its start-up split and how many classes it instrumented. */
    private void agentDetails(Variant variant) throws Exception {
        List<String> options = new ArrayList<>(variant.options);
        options.add("-Dxraybatch.debug=true");
        TimedRun run = run(options);
        Matcher started = STARTED.matcher(run.stderr);
        long instrumented = Arrays.stream(run.stderr.split("\n"))
                .filter(l -> l.contains("debug: instrumented ")).count();
        System.out.printf("%s, one run with -Dxraybatch.debug=true: %s; %d classes instrumented; problems reported:"
                        + " %d%n", variant.name,
                started.find() ? "agent started in " + started.group(1) + " ms (instrumentation "
                        + started.group(2) + " ms)" : "no start-up line",
                instrumented, Arrays.stream(run.stderr.split("\n")).filter(l -> l.contains("could not")).count());
    }

    private TimedRun run(List<String> jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(Collections.singletonList(javaBin.toString()));
        command.addAll(jvmOptions);
        command.addAll(Arrays.asList("-cp", classPath, ClassLoadingJob.class.getName(), classList.toString()));
        return TimedRun.of(command, work, Collections.emptyMap(), Duration.ofSeconds(300));
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
            return runs.stream().map(r -> r.wallSeconds).collect(Collectors.toList());
        }

        List<Double> cpus() {
            return runs.stream().map(r -> r.cpuSeconds).collect(Collectors.toList());
        }
    }

}
