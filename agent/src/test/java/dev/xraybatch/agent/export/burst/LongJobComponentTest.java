package dev.xraybatch.agent.export.burst;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xraybatch.agent.export.ExportStats;
import dev.xraybatch.agent.trace.Kind;
import dev.xraybatch.agent.trace.Tracer;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;
import dev.xraybatch.testsupport.TraceQuota;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs of one minute, half an hour and three hours of simulated time, with thousands of Spark actions, AWS SDK
 * calls and pointcut calls, through the real tracer, export pipeline, burst policy and SigV4 client, against the
 * local X-Ray with its trace quota on the same moved clock. What holds for each: X-Ray refuses nothing, the job's
 * trace ends with its final root, every trace stays within the budget and the quota's model in at most three
 * bursts (one per continuation trace), every document finds its parent in its own trace, and stitched together the
 * traces hold every subsegment the job made except those the budget left out, which the roots count by kind. Then
 * the same three-hour job killed ({@code kill -9}) at several moments: what that loses, measured.
 */
class LongJobComponentTest {
    private static final long MINUTE = 60_000L;
    private static final long WINDOW = 5 * MINUTE;
    private static final long BUDGET = 400 * 1024L;

    private static final SimulatedJob.Shape ONE_MINUTE =
            new SimulatedJob.Shape(MINUTE, 2_000, 5_000, 4, 40, 0, 0, 11);
    /** Dense: far more per window than the budget holds, and a seven-minute action every ten minutes. */
    private static final SimulatedJob.Shape HALF_HOUR_DENSE =
            new SimulatedJob.Shape(30 * MINUTE, 600, 2_500, 8, 60, 10 * MINUTE, 7 * MINUTE, 22);
    /** An action every four seconds, a step every ten, and a twelve-minute action every forty minutes. */
    private static final SimulatedJob.Shape THREE_HOURS =
            new SimulatedJob.Shape(180 * MINUTE, 4_000, 10_000, 3, 40, 40 * MINUTE, 12 * MINUTE, 33);

    @TempDir
    Path home;

    @Test
    void aOneMinuteJobIsOneTraceSentInTwoBursts() {
        SimulatedJob job = new SimulatedJob(ONE_MINUTE, WINDOW, BUDGET, home);
        try {
            job.runFor(ONE_MINUTE.durationMillis());
            ExportStats stats = job.finish();
            Report report = Report.of(job, stats);
            report.print("1 minute");
            report.assertWhole();
            assertThat(report.traces).as("one trace").hasSize(1);
            assertThat(report.bursts.get(job.traceId)).isEqualTo(2);
        } finally {
            job.close();
        }
    }

    @Test
    void aDenseHalfHourJobStaysWithinTheBudgetAndCountsWhatItLeftOut() {
        SimulatedJob job = new SimulatedJob(HALF_HOUR_DENSE, WINDOW, BUDGET, home);
        try {
            job.runFor(HALF_HOUR_DENSE.durationMillis());
            ExportStats stats = job.finish();
            Report report = Report.of(job, stats);
            report.print("30 minutes, dense");
            report.assertWhole();
            assertThat(report.traces).as("the job's trace and five continuation traces").hasSize(6);
            assertThat(report.missing).as("the budget left out some work").isNotEmpty();
            assertThat(report.missingByKind.keySet()).as("the least important first")
                    .doesNotContain(Kind.STEP, Kind.SPARK_JOB, Kind.SPARK_STAGE);
        } finally {
            job.close();
        }
    }

    @Test
    void aThreeHourJobIsThirtySixTracesEachWithinTheQuota() {
        SimulatedJob job = new SimulatedJob(THREE_HOURS, WINDOW, BUDGET, home);
        try {
            job.runFor(THREE_HOURS.durationMillis());
            ExportStats stats = job.finish();
            Report report = Report.of(job, stats);
            report.print("3 hours");
            report.assertWhole();
            assertThat(report.traces).as("the job's trace and 35 continuation traces").hasSize(36);
        } finally {
            job.close();
        }
    }

    @Test
    void aKill9LosesAtMostTheWindowInProgressAndTheFinalRoot() {
        long[] killAt = {47 * MINUTE + 13_000, 91 * MINUTE + 40_000, 170 * MINUTE + 5_000};
        for (long at : killAt) {
            SimulatedJob job = new SimulatedJob(THREE_HOURS, WINDOW, BUDGET, home);
            try {
                job.runFor(at);
                ExportStats stats = job.kill();
                Report report = Report.of(job, stats);
                long lastSentWindowEnd = job.startMillis + (at - job.graceMillis()) / WINDOW * WINDOW;
                long oldestLostEnd = Long.MAX_VALUE;
                for (SimulatedJob.Made lost : report.missing) {
                    oldestLostEnd = Math.min(oldestLostEnd, lost.endMillis());
                }
                int madeInLastWindows = 0;
                for (SimulatedJob.Made made : job.made.values()) {
                    if (made.endMillis() >= lastSentWindowEnd) {
                        madeInLastWindows++;
                    }
                }
                System.out.printf("kill -9 at %s: %d of %d subsegments lost (%.1f%%), all ended after %s"
                                + " (the last window sent ended at %s; %d subsegments ended since), the job's trace"
                                + " in progress: %s, %d continuation traces complete%n",
                        clock(at), report.missing.size(), job.made.size(),
                        100.0 * report.missing.size() / job.made.size(),
                        report.missing.isEmpty() ? "-" : clock(oldestLostEnd - job.startMillis),
                        clock(lastSentWindowEnd - job.startMillis), madeInLastWindows, report.rootInProgress,
                        report.traces.size() - 1);
                assertThat(report.quotaRefusals).isZero();
                assertThat(report.rootInProgress).as("the job's trace keeps its root in progress").isTrue();
                assertThat(oldestLostEnd).as("nothing that ended before the last window sent is lost")
                        .isGreaterThanOrEqualTo(lastSentWindowEnd);
                assertThat(report.missing.size()).as("at most what ended in the window in progress")
                        .isLessThanOrEqualTo(madeInLastWindows);
            } finally {
                job.close();
            }
        }
    }

    @Test
    void whenXRayClosesTheJobsTraceTheRestAndTheFinalRootGoToAContinuationTrace() {
        SimulatedJob.Shape twelveMinutes = new SimulatedJob.Shape(12 * MINUTE, 4_000, 10_000, 3, 40, 0, 0, 44);
        SimulatedJob job = new SimulatedJob(twelveMinutes, WINDOW, BUDGET, home);
        try {
            // Another JVM of the job spends most of the job's trace right at its start: its first window no longer
            // fits X-Ray's 500,000 bytes, whatever this JVM's budget says.
            job.spendJobTrace(400_000);
            List<String> linked = new java.util.concurrent.CopyOnWriteArrayList<>();
            job.policy.consoleLinks(id -> {
                linked.add(id);
                return "; console: https://console.example/#xray:traces/" + id;
            });
            job.runFor(twelveMinutes.durationMillis());
            ExportStats stats = job.finish();

            int refused = job.xray.quotaRefusedCount(job.traceId);
            assertThat(job.xray.isLimitExceeded(job.traceId)).as("X-Ray closed the job's trace").isTrue();
            assertThat(refused).isPositive();
            assertThat(job.xray.quotaRefusedCount()).as("refused only there").isEqualTo(refused);
            assertThat(stats.quotaRefused()).as("the agent counted X-Ray's refusals").isEqualTo(refused);
            assertThat(stats.nothingLost()).as(stats.toString()).isTrue();
            List<BurstPolicy.TraceReport> traces = job.policy.traces();
            BurstPolicy.TraceReport overflow = traces.stream().filter(t -> t.overflow).findFirst().orElseThrow();
            System.out.printf("X-Ray closed the job's trace after its first window: %d documents refused, sent on to"
                    + " %s; %s%n", refused, overflow.traceId, traces);
            assertThat(job.policy.traces().stream().filter(t -> t.closed)).as("closed").hasSize(1);
            // The start line's console address stays in progress: a line names the one the root goes to now.
            assertThat(linked).as("console addresses given").containsExactly(overflow.traceId);

            // The continuation trace holds what was refused, and the job's final root.
            Trace continued = job.xray.trace(overflow.traceId);
            TraceNode root = continued.root();
            assertThat(root.id()).isEqualTo(job.tracer.root().id());
            assertThat(root.isInProgress()).as("the final root completed the continuation's root").isFalse();
            assertThat(root.annotation(Tracer.RUN_ANNOTATION).asText()).isEqualTo(job.traceId);
            assertThat(job.xray.trace(job.traceId).nodeById(root.id()).isInProgress()).isTrue();
            job.xray.assertNoViolations();
            for (String traceId : job.xray.traceIds()) {
                if (!traceId.equals(job.traceId)) {
                    assertThat(job.xray.quotaUsage(traceId).limitExceeded()).isFalse();
                    assertThat(job.xray.trace(traceId).roots()).as("roots of " + traceId).hasSize(1);
                }
            }
            // Nothing the job made is missing.
            Report report = Report.of(job, stats);
            assertThat(report.missing).isEmpty();
        } finally {
            job.close();
        }
    }

    private static String clock(long millis) {
        long seconds = millis / 1000;
        return String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }

    /** What arrived at the endpoint for one job, and how it compares with what the job made. */
    static final class Report {
        final SimulatedJob job;
        final ExportStats stats;
        final List<String> traces = new ArrayList<>();
        final Map<String, Integer> bursts = new LinkedHashMap<>();
        final Map<String, Long> bytes = new LinkedHashMap<>();
        final Map<String, Integer> documents = new LinkedHashMap<>();
        final Map<String, Map<String, Long>> leftOutByTrace = new LinkedHashMap<>();
        final Map<String, Long> leftOut = new TreeMap<>();
        final List<SimulatedJob.Made> missing = new ArrayList<>();
        final Map<Kind, Integer> missingByKind = new TreeMap<>();
        int quotaRefusals;
        boolean rootInProgress;
        JsonNode finalRoot;

        private Report(SimulatedJob job, ExportStats stats) {
            this.job = job;
            this.stats = stats;
        }

        static Report of(SimulatedJob job, ExportStats stats) {
            Report report = new Report(job, stats);
            Map<String, JsonNode> real = new HashMap<>();
            for (String traceId : job.xray.traceIds()) {
                report.traces.add(traceId);
                TraceQuota.Usage usage = job.xray.quotaUsage(traceId);
                report.bursts.put(traceId, usage.bursts());
                report.bytes.put(traceId, usage.acceptedBytes());
                report.documents.put(traceId, usage.acceptedDocuments());
                for (JsonNode document : job.xray.documents(traceId)) {
                    collect(document, real);
                }
                Trace trace = job.xray.trace(traceId);
                for (TraceNode root : trace.roots()) {
                    JsonNode leftOut = root.metadata("xray_batch", "left_out");
                    if (leftOut != null && !leftOut.isMissingNode() && root.isSegment() && !root.isInProgress()) {
                        Map<String, Long> kinds = new TreeMap<>();
                        leftOut.fields().forEachRemaining(kind -> kinds.put(kind.getKey(), kind.getValue().path("count").asLong()));
                        report.leftOutByTrace.put(traceId, kinds);
                        kinds.forEach((kind, count) -> report.leftOut.merge(kind, count, Long::sum));
                    }
                }
            }
            report.quotaRefusals = job.xray.quotaRefusedCount();
            Trace own = job.xray.trace(job.traceId);
            TraceNode root = own.nodeById(job.tracer.root().id());
            report.rootInProgress = root.isInProgress();
            report.finalRoot = root.isInProgress() ? null : root.json();
            for (SimulatedJob.Made made : job.made.values()) {
                if (!real.containsKey(made.id())) {
                    report.missing.add(made);
                    report.missingByKind.merge(made.kind(), 1, Integer::sum);
                }
            }
            return report;
        }

        /** Every entity of a document that is the real thing: not a stand-in, not a continuation root. */
        private static void collect(JsonNode node, Map<String, JsonNode> real) {
            boolean standIn = node.path("metadata").path("xray_batch").path("continued").asBoolean(false)
                    || node.path("annotations").has(Tracer.PART_ANNOTATION);
            if (!standIn) {
                real.put(node.path("id").asText(), node);
            }
            for (JsonNode child : node.path("subsegments")) {
                collect(child, real);
            }
        }

        void assertWhole() {
            job.xray.assertNoViolations();
            assertThat(quotaRefusals).as("documents X-Ray refused for a trace's quota").isZero();
            assertThat(stats.nothingLost()).as(stats.toString()).isTrue();
            assertThat(finalRoot).as("the job's trace has its final root").isNotNull();
            for (String traceId : traces) {
                TraceQuota.Usage usage = job.xray.quotaUsage(traceId);
                assertThat(usage.acceptedBytes()).as("bytes of " + traceId).isLessThanOrEqualTo(job.budgetBytes)
                        .isLessThanOrEqualTo(usage.limitBytes());
                assertThat(usage.bursts()).as("bursts of " + traceId)
                        .isLessThanOrEqualTo(traceId.equals(job.traceId) ? 3 : 1);
                assertThat(usage.limitExceeded()).isFalse();
                // Every document finds its parent in its own trace: one root.
                assertThat(job.xray.trace(traceId).roots()).as("roots of " + traceId).hasSize(1);
            }
            // The continuation traces are the ones the final root lists, in order.
            List<String> listed = new ArrayList<>();
            finalRoot.path("metadata").path("xray_batch").path("parts").forEach(id -> listed.add(id.asText()));
            assertThat(listed).containsExactlyElementsOf(traces.subList(1, traces.size()));
            // Stitched, they hold all the job made but what the budget left out, which the roots count by kind.
            Map<String, Long> missingCounts = new TreeMap<>();
            missingByKind.forEach((kind, count) -> missingCounts.put(kind.key(), (long) count));
            Map<String, Long> countedWithoutSummaries = new TreeMap<>(leftOut);
            countedWithoutSummaries.remove(Kind.CALL_SUMMARY.key());
            assertThat(missingCounts).as("left out, by kind").isEqualTo(countedWithoutSummaries);
        }

        void print(String title) {
            long totalBytes = bytes.values().stream().mapToLong(Long::longValue).sum();
            int totalDocuments = documents.values().stream().mapToInt(Integer::intValue).sum();
            long maxBytes = bytes.values().stream().mapToLong(Long::longValue).max().orElse(0);
            StringBuilder out = new StringBuilder();
            out.append(String.format("%n== %s: %s%n", title, job.describe()));
            out.append(String.format("   %d traces, %d documents, %d bytes (largest trace %d bytes, budget %d),"
                            + " %d subsegments made, %d left out %s, %d refused for quota, %s%n",
                    traces.size(), totalDocuments, totalBytes, maxBytes, job.budgetBytes, job.made.size(),
                    missing.size(), leftOut, quotaRefusals, stats));
            out.append(String.format("   memory held at most: %d bytes of documents in %d pieces of work;"
                            + " X-Ray calls: %d%n", job.policy.maxHeldBytes(), job.policy.maxHeldItems(),
                    job.xray.callCount()));
            for (String traceId : traces) {
                out.append(String.format("   %s %s: %d bursts, %d documents, %d bytes%s%n",
                        traceId.equals(job.traceId) ? "job " : "part", traceId, bursts.get(traceId),
                        documents.get(traceId), bytes.get(traceId),
                        leftOutByTrace.containsKey(traceId) ? ", left out " + leftOutByTrace.get(traceId) : ""));
            }
            System.out.print(out);
        }
    }
}
