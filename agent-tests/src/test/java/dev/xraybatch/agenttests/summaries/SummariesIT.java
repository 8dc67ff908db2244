package dev.xraybatch.agenttests.summaries;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xraybatch.agenttests.summaries.app.DataNamedJob;
import dev.xraybatch.agenttests.summaries.app.HotLoopJob;
import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.TraceNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls past their limit in real JVMs with the agent: a job working in short windows, whose every continuation
 * trace carries the summaries of its window; the same job writing a file and killed with {@code kill -9}, which
 * keeps its finished work up to about a second before the kill and the summaries of every window that ended; and
 * a pointcut named from data called a million times in a 128 MB heap.
 */
class SummariesIT {
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(180);
    private static final String APP = "dev.xraybatch.agenttests.summaries.app";
    private static final String HOT = "HotRecords.record";
    private static final int HOT_LIMIT = 10;
    private static final Pattern BATCH_LINE = Pattern.compile("batch (\\d+) at (\\d+) hot (\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path config(String yaml) throws IOException {
        Path file = dir.resolve("xray-batch.yaml");
        Files.write(file, yaml.getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private ChildJvm hotLoop(int seconds, int hotPerBatch, int pauseMillis) throws IOException {
        Path config = config(String.join("\n",
                "pointcuts:",
                "  - classes: " + APP + ".HotRecords",
                "    methods: record",
                "    limit: " + HOT_LIMIT,
                ""));
        return ChildJvm.main(HotLoopJob.class).name("hot-loop")
                .args(String.valueOf(seconds), String.valueOf(hotPerBatch), String.valueOf(pauseMillis))
                .agentArgs("config=" + config);
    }

    private static long summaryCount(JsonNode node) {
        return node.path("metadata").path("xray_batch").path("summary").path("count").asLong();
    }

    private static boolean isSummary(JsonNode node) {
        return node.path("metadata").path("xray_batch").has("summary");
    }

    @Test
    void everyContinuationTraceCarriesTheSummariesOfItsWindow() throws Exception {
        try (LocalXRayEndpoint xray = LocalXRayEndpoint.builder().traceQuota(true).start()) {
            ChildJvm.Result result = hotLoop(10, 200, 50).xray(xray).env("XRAY_BATCH_LONG_JOBS_WINDOW_S", "2")
                    .run(RUN_TIMEOUT);
            result.assertExitCode(0);
            long hotCalls = Long.parseLong(result.stdout().replaceAll("(?s).*HotLoopJob done: (\\d+).*", "$1"));
            String jobTrace = result.stderr().replaceAll("(?s).*tracing '[^']*' as trace (\\S+) .*", "$1");
            Map<String, Long> countByTrace = new LinkedHashMap<>();
            long total = 0;
            for (String traceId : xray.traceIds()) {
                long counted = 0;
                for (TraceNode node : xray.trace(traceId).nodes()) {
                    if (node.name().equals(HOT) && isSummary(node.json())) {
                        counted += summaryCount(node.json());
                    }
                }
                countByTrace.put(traceId, counted);
                total += counted;
            }
            System.out.printf("windows of 2 s: %d hot calls; summarized per trace: %s%n", hotCalls, countByTrace);

            xray.assertNoViolations();
            // Continuation traces in window order, from the lines that announce them.
            List<String> parts = new ArrayList<>();
            Matcher part = Pattern.compile("part (\\d+) of trace \\S+ sent as trace (\\S+):").matcher(result.stderr());
            while (part.find()) {
                parts.add(part.group(2));
            }
            // The JVM's start-up may take the first windows on a busy machine: from the first window with hot calls
            // on, every continuation trace holds its window's summary.
            int first = 0;
            while (first < parts.size() && countByTrace.getOrDefault(parts.get(first), 0L) == 0L) {
                first++;
            }
            // And the windows after the hot loop (the job's end, its time now sampled and named) hold none.
            int end = parts.size();
            while (end > first && countByTrace.getOrDefault(parts.get(end - 1), 0L) == 0L) {
                end--;
            }
            assertThat(end - first).as("continuation traces with hot calls, of a 10 s job in windows of 2 s")
                    .isGreaterThanOrEqualTo(3);
            for (String id : parts.subList(first, end)) {
                assertThat(countByTrace.getOrDefault(id, 0L)).as("the summary of continuation trace " + id).isPositive();
            }
            assertThat(total).as("every call past the limit counted once, in its window's trace")
                    .isEqualTo(hotCalls - HOT_LIMIT);
        }
    }

    @Test
    void aKill9OfTheFileExporterKeepsFinishedWorkAndTheSummariesOfEveryEndedWindow() throws Exception {
        Path traceFile = dir.resolve("trace.jsonl");
        ChildJvm.Result result;
        long killedAt;
        try (ChildJvm.Running running = hotLoop(60, 100, 200)
                .agentArgs("config=" + dir.resolve("xray-batch.yaml") + ",exporter=file,trace_file=" + traceFile)
                .env("XRAY_BATCH_LONG_JOBS_WINDOW_S", "2").start()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (lastBatchAt(running.stdout()) < 7_000 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            killedAt = lastBatchAt(running.stdout());
            running.sendSignal("KILL");
            result = running.waitFor(RUN_TIMEOUT);
        }
        assertThat(result.exitCode()).isEqualTo(137);

        Set<String> written = new HashSet<>();
        long summarized = 0;
        int summaries = 0;
        for (String line : Files.readAllLines(traceFile, StandardCharsets.UTF_8)) {
            collect(JSON.readTree(line), written);
            List<JsonNode> all = new ArrayList<>();
            flatten(JSON.readTree(line), all);
            for (JsonNode node : all) {
                if (node.path("name").asText().equals(HOT) && isSummary(node)) {
                    summarized += summaryCount(node);
                    summaries++;
                }
            }
        }
        List<long[]> batches = batches(result.stdout());
        int missing = 0;
        long lastKeptAt = -1;
        for (long[] batch : batches) {
            if (written.contains("batch " + batch[0])) {
                lastKeptAt = batch[1];
            } else if (batch[1] <= killedAt - 2_000) {
                missing++;
            }
        }
        // The hot calls made before the end of the last window that ended 3 s before the kill, at least.
        long hotCallsBefore = 0;
        for (long[] batch : batches) {
            if (batch[1] <= killedAt - 4_000) {
                hotCallsBefore = batch[2];
            }
        }
        System.out.printf("kill -9 %d ms in: %d batches ran, the last one written started %d ms in; %d summaries"
                + " written counting %d calls (%d made by 4 s before the kill)%n", killedAt, batches.size(),
                lastKeptAt, summaries, summarized, hotCallsBefore);

        assertThat(missing).as("finished batches older than 2 s that are not in the file").isZero();
        assertThat(killedAt - lastKeptAt).as("what is lost is about the last second").isLessThan(2_500);
        assertThat(summaries).as("one summary per ended window").isGreaterThanOrEqualTo(2);
        assertThat(summarized).as("the summaries of the windows that ended")
                .isGreaterThanOrEqualTo(hotCallsBefore - HOT_LIMIT);
    }

    @Test
    void aMillionNamesFromDataFitIn128Megabytes() throws Exception {
        Path config = config(String.join("\n",
                "pointcuts:",
                "  - classes: " + APP + ".NamedLoads",
                "    methods: load",
                "    name: 'load {arg0}'",
                ""));
        Path traceFile = dir.resolve("trace.jsonl");
        ChildJvm.Result result = ChildJvm.main(DataNamedJob.class).name("data-named").jvmArgs("-Xmx128m")
                .args("1000000")
                .agentArgs("config=" + config + ",exporter=file,trace_file=" + traceFile)
                .run(RUN_TIMEOUT);
        System.out.println("a million names from data: " + result.stdout().lines()
                .filter(l -> l.startsWith("heap used")).findFirst().orElse("no heap line") + "; "
                + result.stderr().lines().filter(l -> l.contains(": sent ")).findFirst().orElse("no closing line"));

        result.assertExitCode(0);
        assertThat(result.output()).doesNotContain("OutOfMemoryError");
        long summarized = 0;
        int whole = 0;
        for (String line : Files.readAllLines(traceFile, StandardCharsets.UTF_8)) {
            List<JsonNode> all = new ArrayList<>();
            flatten(JSON.readTree(line), all);
            for (JsonNode node : all) {
                if (isSummary(node)) {
                    assertThat(node.path("name").asText()).as("the summary takes the template's name")
                            .isEqualTo("load arg0");
                    summarized += summaryCount(node);
                } else if (node.path("name").asText().startsWith("load key-")) {
                    whole++;
                }
            }
        }
        assertThat(whole).as("the template's limit (100)").isEqualTo(100);
        assertThat(summarized).isEqualTo(1_000_000 - 100);
        assertThat(result.stderr()).contains("dropped 0 documents and 0 unrendered items");
    }

    private static void collect(JsonNode node, Set<String> names) {
        names.add(node.path("name").asText());
        for (JsonNode child : node.path("subsegments")) {
            collect(child, names);
        }
    }

    private static void flatten(JsonNode node, List<JsonNode> into) {
        into.add(node);
        for (JsonNode child : node.path("subsegments")) {
            flatten(child, into);
        }
    }

    /** {batch, started at ms, hot calls before it} per batch line. */
    private static List<long[]> batches(String stdout) {
        List<long[]> batches = new ArrayList<>();
        Matcher m = BATCH_LINE.matcher(stdout);
        while (m.find()) {
            batches.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
        }
        return batches;
    }

    private static long lastBatchAt(String stdout) {
        List<long[]> batches = batches(stdout);
        return batches.isEmpty() ? -1 : batches.get(batches.size() - 1)[1];
    }
}
