package dev.xraybatch.agenttests.longjobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.MotoServer;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;
import dev.xraybatch.testsupport.TraceQuota;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
 * A real traced JVM that works for about fifteen seconds (S3 calls to moto_server, many small steps) with windows
 * of three seconds, against the local X-Ray with its trace quota on and the system clock: each window arrives as a
 * complete continuation trace with its annotation as the job runs, the job's trace ends with its final root, X-Ray
 * refuses nothing, and the timeline stitches it all. Then the same job killed with {@code kill -9} mid-way: what
 * that loses, against the design's claim (the window in progress and the final root).
 */
class LongJobIT {
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern PART_LINE = Pattern.compile(
            "\\[xray-batch-agent] part (\\d+) of trace (\\S+) sent as trace (\\S+): window (\\S+)-(\\S+), (\\d+) documents");
    private static final Pattern BATCH_LINE = Pattern.compile("batch (\\d+) at (\\d+)");

    private static MotoServer moto;
    /** Batches whose documents are well over X-Ray's 500 KB of a trace: about 5 KB each, some 720 KB in all. */
    private static final int OVER_QUOTA_BATCHES = 150;
    private LocalXRayEndpoint xray;

    @BeforeAll
    static void startMoto() throws Exception {
        moto = MotoServer.shared();
    }

    @BeforeEach
    void startEndpoint() {
        xray = LocalXRayEndpoint.builder().traceQuota(true).start();
    }

    @AfterEach
    void stopEndpoint() {
        xray.close();
    }

    private ChildJvm job(String bucket) {
        return job(bucket, "15");
    }

    /** {@code work}: seconds of batches, or {@code batches=<n>} (the same trace however busy the machine). */
    private ChildJvm job(String bucket, String work) {
        return ChildJvm.main(LongRunningJob.class).name("long-job").args(work, moto.endpoint().toString(), bucket)
                .xray(xray).env("XRAY_BATCH_LONG_JOBS_WINDOW_S", "3");
    }

    @Test
    void everyWindowArrivesAsACompleteContinuationTraceAndTheJobsTraceEndsWithItsRoot() throws Exception {
        ChildJvm.Result result;
        List<String> seenWhileRunning = new ArrayList<>();
        try (ChildJvm.Running running = job("long-job-whole").start()) {
            // Visible while running: continuation traces come in as the job goes on.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (running.isAlive() && !running.stdout().contains("LongRunningJob done")
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
                for (String traceId : xray.traceIds()) {
                    if (!seenWhileRunning.contains(traceId)) {
                        seenWhileRunning.add(traceId);
                    }
                }
            }
            result = running.waitFor(RUN_TIMEOUT);
        }
        result.assertExitCode(0);
        String jobTrace = jobTraceId(result.stderr());
        Map<Integer, String> parts = parts(result.stderr(), jobTrace);
        System.out.printf("long job: %d continuation traces, %d seen while it ran; %s%n", parts.size(),
                seenWhileRunning.size() - 1, result.stderr().lines()
                        .filter(l -> l.contains("sent as trace") || l.contains(": sent ")).toList());

        // One continuation trace per window after the first, in the job's run as it went (about fifteen seconds
        // of batches; longer on a busy machine): the count follows the run's length, not the clock on the wall.
        TraceNode jobRoot = xray.trace(jobTrace).root();
        int windowsAfterTheFirst = (int) ((jobRoot.endTime() - jobRoot.startTime()) / 3.0);
        assertThat(parts.size()).as("a run of %.1f s in windows of three", jobRoot.endTime() - jobRoot.startTime())
                .isBetween(Math.max(3, windowsAfterTheFirst - 1), windowsAfterTheFirst + 1);
        assertThat(seenWhileRunning).as("continuation traces arrived while the job ran")
                .containsAll(new ArrayList<>(parts.values()).subList(0, parts.size() - 2));
        xray.assertNoViolations();
        assertThat(xray.quotaRefusedCount()).isZero();

        // The job's trace: its final root, listing the continuation traces.
        Trace own = xray.trace(jobTrace);
        TraceNode root = own.root();
        assertThat(root.isInProgress()).isFalse();
        List<String> listed = new ArrayList<>();
        root.metadata("xray_batch", "parts").forEach(id -> listed.add(id.asText()));
        assertThat(listed).containsExactlyElementsOf(parts.values());
        assertThat(xray.bursts(jobTrace)).isLessThanOrEqualTo(3);

        // Each continuation trace: complete, whole (one root), annotated, one burst, within the budget.
        for (Map.Entry<Integer, String> part : parts.entrySet()) {
            Trace trace = xray.trace(part.getValue());
            TraceNode partRoot = trace.root();
            assertThat(partRoot.isInProgress()).isFalse();
            assertThat(partRoot.annotation("xray_batch_run").asText()).isEqualTo(jobTrace);
            assertThat(partRoot.annotation("xray_batch_part").asInt()).isEqualTo(part.getKey());
            TraceQuota.Usage usage = xray.quotaUsage(part.getValue());
            assertThat(usage.bursts()).as("bursts of part " + part.getKey()).isEqualTo(1);
            assertThat(usage.acceptedBytes()).isLessThanOrEqualTo(400 * 1024);
        }

        // Stitched by the agent's timeline: every batch the job ran, under the job's root, none orphaned.
        ChildJvm.Result timeline = timeline(jobTrace);
        timeline.assertExitCode(0);
        int batches = lastBatch(result.stdout()) + 1;
        for (int batch = 0; batch < batches; batch++) {
            assertThat(timeline.stdout()).as("batch " + batch).contains("batch " + batch + " ");
        }
        assertThat(timeline.stdout()).doesNotContain("not received");
        assertThat(timeline.stdout()).contains("stitched " + parts.size() + " continuation traces");
    }

    @Test
    void aKill9LosesTheWindowInProgressAndTheFinalRootOnly() throws Exception {
        ChildJvm.Result result;
        long killedAtMillis;
        try (ChildJvm.Running running = job("long-job-killed").start()) {
            // Mid-way through a window: 10.5 s into the job (windows end at 3, 6, 9, 12 s after the JVM started).
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (lastBatchAt(running.stdout()) < 9_500 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            killedAtMillis = lastBatchAt(running.stdout());
            running.sendSignal("KILL");
            result = running.waitFor(RUN_TIMEOUT);
        }
        assertThat(result.exitCode()).isEqualTo(137);
        String jobTrace = jobTraceId(result.stderr());
        Map<Integer, String> parts = parts(result.stderr(), jobTrace);
        int batches = lastBatch(result.stdout()) + 1;

        // What arrived: the job's trace (its root in progress) and the continuation traces sent before the kill.
        Set<String> arrived = new HashSet<>();
        for (String traceId : xray.traceIds()) {
            for (TraceNode node : xray.trace(traceId).nodes()) {
                if (!node.json().path("metadata").path("xray_batch").path("continued").asBoolean(false)) {
                    arrived.add(node.name());
                }
            }
        }
        int lost = 0;
        int firstLost = -1;
        for (int batch = 0; batch < batches; batch++) {
            if (!arrived.contains("batch " + batch)) {
                lost++;
                firstLost = firstLost < 0 ? batch : firstLost;
            }
        }
        int lastSentBatch = firstLost < 0 ? batches - 1 : firstLost - 1;
        long lastSentAt = batchStartedAt(result.stdout(), lastSentBatch);
        System.out.printf("kill -9 %d ms into the job: %d of %d batches lost (from batch %d, started %d ms in);"
                        + " %d continuation traces had arrived; the job's root in progress: %s%n", killedAtMillis,
                lost, batches, firstLost, batchStartedAt(result.stdout(), Math.max(0, firstLost)), parts.size(),
                xray.trace(jobTrace).nodeById(xray.trace(jobTrace).roots().get(0).id()).isInProgress());

        xray.assertNoViolations();
        assertThat(xray.quotaRefusedCount()).isZero();
        assertThat(xray.trace(jobTrace).roots()).hasSize(1);
        assertThat(xray.trace(jobTrace).roots().get(0).isInProgress()).as("the final root is lost").isTrue();
        assertThat(parts).as("windows that ended before the kill arrived").isNotEmpty();
        // What is lost is one window and a bit at most (the window in progress, and the one in its grace period).
        assertThat(lost).isPositive();
        assertThat(killedAtMillis - lastSentAt).as("lost only work of the last windows").isLessThan(2 * 3_000 + 1_000);
        for (int batch = 0; batch <= lastSentBatch; batch++) {
            assertThat(arrived).as("batch " + batch + " went out with its window").contains("batch " + batch);
        }
    }

    @Test
    void aBudgetAboveXRaysQuotaMeetsXRaysWordOnceAndLosesNothing() {
        // Everything held to the end (no windows) and a budget X-Ray does not grant: the job's trace overflows.
        // A fixed amount of work, so that the trace is as large on a busy machine (CI: 15 s of batches under load
        // stayed below X-Ray's quota).
        ChildJvm.Result result = job("long-job-over-quota", "batches=" + OVER_QUOTA_BATCHES)
                .env("XRAY_BATCH_LONG_JOBS_WINDOW_S", "0")
                .env("XRAY_BATCH_TRACE_BUDGET_KB", "2000").run(RUN_TIMEOUT);
        result.assertExitCode(0);
        String jobTrace = jobTraceId(result.stderr());
        List<String> said = result.stderr().lines().filter(l -> l.contains("X-Ray closed trace")).toList();
        System.out.printf("over quota: %d documents refused; %s; job trace accepted %d bytes; batches %d%n", xray.quotaRefusedCount(), said, xray.quotaUsage(jobTrace).acceptedBytes(), lastBatch(result.stdout()) + 1);

        assertThat(xray.isLimitExceeded(jobTrace)).isTrue();
        assertThat(xray.quotaRefusedCount()).isPositive();
        assertThat(said).as("said once").hasSize(1);
        assertThat(said.get(0)).contains(jobTrace, "trace_budget_kb (now 2000)", "long_jobs.window_s (now 0)");
        // The final root goes first in the job's last burst: it made it in before the quota was reached.
        assertThat(xray.trace(jobTrace).nodeById(xray.trace(jobTrace).roots().get(0).id()).isInProgress()).isFalse();
        assertThat(result.stderr()).contains(xray.quotaRefusedCount()
                + " documents refused over a trace's quota went to a continuation trace");
        xray.assertNoViolations();
        ChildJvm.Result timeline = timeline(jobTrace);
        timeline.assertExitCode(0);
        int batches = lastBatch(result.stdout()) + 1;
        for (int batch = 0; batch < batches; batch++) {
            assertThat(timeline.stdout()).as("batch " + batch).contains("batch " + batch + " ");
        }
        assertThat(timeline.stdout()).doesNotContain("not received");
    }

    private ChildJvm.Result timeline(String traceId) {
        return ChildJvm.main("dev.xraybatch.agent.cli.Cli").name("timeline").withoutAgent()
                .classPath(System.getProperty(ChildJvm.AGENT_JAR_PROPERTY)).xray(xray)
                .args("timeline", "--trace-id", traceId, "--region", LocalXRayEndpoint.REGION, "--endpoint",
                        xray.url().toString(), "--all", "--no-color")
                .run(RUN_TIMEOUT);
    }

    private static String jobTraceId(String stderr) {
        Matcher m = Pattern.compile("tracing '[^']*' as trace (\\S+) ").matcher(stderr);
        assertThat(m.find()).as("the start line in\n" + stderr).isTrue();
        return m.group(1);
    }

    private static Map<Integer, String> parts(String stderr, String jobTrace) {
        Map<Integer, String> parts = new LinkedHashMap<>();
        Matcher m = PART_LINE.matcher(stderr);
        while (m.find()) {
            assertThat(m.group(2)).isEqualTo(jobTrace);
            parts.put(Integer.parseInt(m.group(1)), m.group(3));
        }
        return parts;
    }

    private static int lastBatch(String stdout) {
        int last = -1;
        Matcher m = BATCH_LINE.matcher(stdout);
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    private static long lastBatchAt(String stdout) {
        long at = -1;
        Matcher m = BATCH_LINE.matcher(stdout);
        while (m.find()) {
            at = Long.parseLong(m.group(2));
        }
        return at;
    }

    private static long batchStartedAt(String stdout, int batch) {
        Matcher m = BATCH_LINE.matcher(stdout);
        while (m.find()) {
            if (Integer.parseInt(m.group(1)) == batch) {
                return Long.parseLong(m.group(2));
            }
        }
        return -1;
    }

    @SuppressWarnings("unused")
    private static boolean isStandIn(JsonNode node) {
        return node.path("metadata").path("xray_batch").path("continued").asBoolean(false);
    }
}
