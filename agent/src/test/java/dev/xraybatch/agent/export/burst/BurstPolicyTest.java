package dev.xraybatch.agent.export.burst;

import dev.xraybatch.agent.export.ExportPipeline;
import dev.xraybatch.agent.export.ExportSettings;
import dev.xraybatch.agent.export.ExportStats;
import dev.xraybatch.agent.trace.Kind;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class BurstPolicyTest {
    private static final long HANG_GUARD_MILLIS = 30_000;
    private static final long START_MILLIS = 1_760_000_000_000L;
    private static final String TRACE_ID = "1-" + Long.toHexString(START_MILLIS / 1000) + "-0123456789abcdef01234567";

    private final AtomicLong nowMillis = new AtomicLong(START_MILLIS);
    private final RecordingExporter exporter = new RecordingExporter();
    private ExportPipeline pipeline;
    private BurstPolicy policy;
    private Tracer tracer;

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.shutdown(1000);
        }
    }

    private void start(long windowMillis, long budgetBytes) {
        policy = new BurstPolicy(nowMillis::get, budgetBytes, "lower trace_budget_kb", null);
        pipeline = ExportPipeline.start(exporter, ExportSettings.builder().build(), policy);
        tracer = Tracer.start(TRACE_ID, "job", START_MILLIS * 1000, null, "test", "0", pipeline::offer,
                windowMillis, () -> nowMillis.get() * 1000);
        policy.attach(tracer);
        tracer.useBudget(policy);
        tracer.emitInProgressRoot();
        settle();
    }

    private void settle() {
        assertThat(pipeline.settle(HANG_GUARD_MILLIS)).as("the pipeline settles").isTrue();
    }

    /** Moves the clock in steps of at most a second, letting the worker act at each. */
    private void advanceTo(long millis) {
        while (nowMillis.get() < millis) {
            nowMillis.set(Math.min(millis, nowMillis.get() + 1000));
            settle();
        }
    }

    private Subsegment step(String name, long startMillis, long endMillis) {
        Subsegment s = tracer.begin(name);
        s.setStartMicros(startMillis * 1000);
        return s;
    }

    private void end(Subsegment s, long endMillis) {
        s.setEndMicros(endMillis * 1000);
        tracer.end(s);
    }

    private ExportStats finish() {
        tracer.closeRoot(nowMillis.get() * 1000);
        return pipeline.shutdown(HANG_GUARD_MILLIS);
    }

    private Map<String, List<Map<String, Object>>> byTrace() {
        Map<String, List<Map<String, Object>>> traces = new LinkedHashMap<>();
        for (RecordingExporter.Call call : exporter.calls()) {
            for (Map<String, Object> document : call.documents()) {
                traces.computeIfAbsent((String) document.get("trace_id"), k -> new ArrayList<>()).add(document);
            }
        }
        return traces;
    }

    @Test
    void aJobShorterThanAWindowIsOneTraceInTwoBursts() {
        start(60_000, 400_000);
        for (int i = 0; i < 150; i++) {
            long at = START_MILLIS + 100 + i * 100L;
            Subsegment s = step("item " + i, at, at + 50);
            end(s, at + 50);
        }
        assertThat(exporter.calls()).as("only the root in progress went out while the job ran").hasSize(1);
        advanceTo(START_MILLIS + 30_000);
        assertThat(exporter.calls()).hasSize(1);
        ExportStats stats = finish();

        assertThat(byTrace().keySet()).containsExactly(TRACE_ID);
        assertThat(stats.nothingLost()).isTrue();
        List<BurstPolicy.TraceReport> reports = policy.traces();
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0).bursts).isEqualTo(2);
    }

    @Test
    void aLongJobBecomesContinuationTracesOnePerWindowWithStandInsForWorkThatContinues() {
        start(60_000, 400_000);
        Subsegment action = step("long action", START_MILLIS + 1_000, 0);
        for (int i = 0; i < 30; i++) {
            long at = START_MILLIS + 2_000 + i * 6_000L; // 3 minutes of calls inside the action
            Subsegment call = tracer.begin("S3");
            call.setKind(Kind.AWS_CALL);
            call.setStartMicros(at * 1000);
            end(call, at + 100);
            advanceTo(at + 100);
        }
        advanceTo(START_MILLIS + 200_000);
        end(action, START_MILLIS + 200_000);
        ExportStats stats = finish();

        Map<String, List<Map<String, Object>>> traces = byTrace();
        assertThat(traces).hasSize(4); // the job's trace and windows 1, 2, 3
        assertThat(stats.nothingLost()).isTrue();
        List<String> partIds = new ArrayList<>(traces.keySet()).subList(1, 4);
        for (int part = 1; part <= 3; part++) {
            String partId = PartIds.partTraceId(TRACE_ID, part, START_MILLIS + part * 60_000L);
            assertThat(partIds).contains(partId);
            List<Map<String, Object>> documents = traces.get(partId);
            Map<String, Object> root = documents.get(0);
            assertThat(root.get("id")).isEqualTo(tracer.root().id());
            @SuppressWarnings("unchecked")
            Map<String, Object> annotations = (Map<String, Object>) root.get("annotations");
            assertThat(annotations).containsEntry(Tracer.RUN_ANNOTATION, TRACE_ID)
                    .containsEntry(Tracer.PART_ANNOTATION, (long) part);
            // Every document's parent is in the same trace.
            List<Object> ids = documents.stream().map(d -> d.get("id")).collect(Collectors.toList());
            for (Map<String, Object> document : documents.subList(1, documents.size())) {
                assertThat(ids).as("parent of " + document).contains(document.get("parent_id"));
            }
        }
        for (BurstPolicy.TraceReport report : policy.traces()) {
            assertThat(report.bursts).as(report.toString()).isLessThanOrEqualTo(report.part == 0 ? 3 : 1);
        }
    }

    @Test
    void pastTheBudgetTheLeastImportantGoFirstFailuresStayAndTheRootCountsWhatWent() {
        start(0, 20 * 1024);
        long at = START_MILLIS + 1_000;
        for (int i = 0; i < 30; i++) {
            Subsegment gap = tracer.beginChild(tracer.root(), "driver code");
            gap.setKind(Kind.SAMPLE);
            gap.setStartMicros((at + i) * 1000);
            gap.putMetadata("spark", "samples", "x".repeat(400));
            end(gap, at + i + 1);
        }
        Subsegment step = step("load", at + 100, 0);
        for (int i = 0; i < 60; i++) {
            Subsegment call = tracer.beginChild(step, "S3");
            call.setKind(Kind.AWS_CALL);
            call.setStartMicros((at + 100 + i) * 1000);
            call.putAws("request_id", "r".repeat(400));
            if (i == 7) {
                call.markFault();
            }
            end(call, at + 101 + i);
        }
        end(step, at + 200);
        ExportStats stats = finish();

        List<Map<String, Object>> documents = byTrace().get(TRACE_ID);
        List<String> names = new ArrayList<>();
        collectNames(documents, names);
        assertThat(names).contains("load").doesNotContain("driver code");
        assertThat(names.stream().filter("S3"::equals).count()).as("the failed call and a few others")
                .isBetween(1L, 59L);
        Map<String, Object> failed = find(documents, d -> "S3".equals(d.get("name")) && Boolean.TRUE.equals(d.get("fault")));
        assertThat(failed).as("the failed call is kept").isNotNull();
        long bytes = exporter.calls().stream().flatMap(c -> c.documents().stream())
                .mapToLong(d -> dev.xraybatch.agent.json.JsonWriter.utf8Length(toJson(d))).sum();
        assertThat(bytes).isLessThanOrEqualTo(20 * 1024 + 2 * 1024);
        Map<String, Object> root = find(documents, d -> "job".equals(d.get("name")) && d.get("end_time") != null);
        @SuppressWarnings("unchecked")
        Map<String, Object> leftOut = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                root.get("metadata")).get("xray_batch")).get("left_out");
        assertThat(leftOut).containsKeys("sample", "aws_call");
        assertThat(stats.leftOut()).isPositive();
        assertThat(stats.nothingLost()).isTrue();
    }

    /**
     * X-Ray closes the job's trace at the job's end and then the trace that took over before it accepted anything:
     * the final root goes on to a third trace, first in its burst, and lists no trace that holds nothing.
     */
    @Test
    void aTraceClosedBeforeItTookAnythingIsPassedOnAndNotListed() {
        java.util.Set<String> closed = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        exporter.answer(documents -> {
            @SuppressWarnings("unchecked")
            String traceId = (String) ((Map<String, Object>) dev.xraybatch.agent.json.JsonReader.parse(
                    documents.get(0))).get("trace_id");
            boolean refuse = calls.getAndIncrement() > 0 && (traceId.equals(TRACE_ID) || closed.size() < 2)
                    && (closed.add(traceId) || closed.contains(traceId));
            if (!refuse) {
                return dev.xraybatch.agent.export.SendOutcome.accepted();
            }
            List<dev.xraybatch.agent.export.SendOutcome.Unprocessed> refused = new ArrayList<>();
            for (String document : documents) {
                @SuppressWarnings("unchecked")
                String id = (String) ((Map<String, Object>) dev.xraybatch.agent.json.JsonReader.parse(document))
                        .get("id");
                refused.add(new dev.xraybatch.agent.export.SendOutcome.Unprocessed(id, "InvalidSegment",
                        "This trace has reached its maximum allocated quota (LimitExceeded)"));
            }
            return dev.xraybatch.agent.export.SendOutcome.accepted(refused);
        });
        start(60_000, 400_000);
        for (int i = 0; i < 20; i++) {
            long at = START_MILLIS + 100 + i * 100L;
            end(step("item " + i, at, at + 50), at + 50);
        }
        ExportStats stats = finish();

        List<String> closedInOrder = new ArrayList<>(closed);
        assertThat(closed).as("the job's trace and the first to take over").hasSize(2).contains(TRACE_ID);
        Map<String, List<Map<String, Object>>> traces = byTrace();
        String emptyOverflow = closedInOrder.stream().filter(id -> !id.equals(TRACE_ID)).findFirst().orElseThrow();
        String last = new ArrayList<>(traces.keySet()).get(traces.size() - 1);
        assertThat(last).isNotIn(closed);
        Map<String, Object> finalRoot = traces.get(last).get(0);
        assertThat(finalRoot.get("id")).as("the final root goes first").isEqualTo(tracer.root().id());
        assertThat(finalRoot).doesNotContainKey("in_progress");
        @SuppressWarnings("unchecked")
        Map<String, Object> agent = (Map<String, Object>) ((Map<String, Object>) finalRoot.get("metadata"))
                .get("xray_batch");
        assertThat(agent.get("parts")).as("parts listed").isNull();
        assertThat(emptyOverflow).isNotEqualTo(last);
        assertThat(stats.quotaRefused()).isPositive();
    }

    /**
     * A Spark stage that other JVMs' summaries name ends on the listener's thread just after the worker cut its
     * window and before the window's burst (CI: an executor's summary arrived in a trace without its stage). It
     * ended after the window, so its own document waits for a later one; the window's trace still needs its stand-in.
     */
    @Test
    void aSharedStageThatEndsBetweenTheCutAndTheBurstStillHasItsStandIn() {
        start(3_000, 400_000);
        Subsegment action = step("count at Job.java:12", START_MILLIS + 100, 0);
        tracer.shareAsParent(action);
        Subsegment sparkJob = tracer.beginDetached(TRACE_ID, action.id(), "job 0", (START_MILLIS + 3_200) * 1000);
        Subsegment stage = tracer.beginChild(sparkJob, "stage 0");
        assertThat(tracer.assignId(stage, "00000000000000ab")).isTrue();
        stage.setStartMicros((START_MILLIS + 3_300) * 1000);
        policy.attach(new dev.xraybatch.agent.export.JobTrace() {
            @Override
            public dev.xraybatch.agent.export.RunInfo run() {
                return tracer.run();
            }

            @Override
            public void cutFinished() {
                tracer.cutFinished();
                if (nowMillis.get() >= START_MILLIS + 6_000 && !stage.isClosed()) {
                    end(stage, nowMillis.get()); // the listener, between this cut and the burst that follows
                }
            }

            @Override
            public List<List<dev.xraybatch.agent.export.TraceWork.StubSource>> openSharedChains() {
                return tracer.openSharedChains();
            }

            @Override
            public String inProgressRoot(Map<String, Object> xrayBatch) {
                return tracer.inProgressRoot(xrayBatch);
            }

            @Override
            public String partRoot(dev.xraybatch.agent.export.RunInfo run, String traceId, int part,
                                   long startMicros, long endMicros, Map<String, Object> xrayBatch) {
                return tracer.partRoot(run, traceId, part, startMicros, endMicros, xrayBatch);
            }
        });
        advanceTo(START_MILLIS + 10_000);
        assertThat(stage.isClosed()).as("the stage ended after window 1's cut").isTrue();
        end(sparkJob, START_MILLIS + 10_000);
        end(action, START_MILLIS + 10_000);
        finish();

        String partOne = PartIds.partTraceId(TRACE_ID, 1, START_MILLIS + 3_000);
        List<Map<String, Object>> documents = byTrace().get(partOne);
        assertThat(documents).as("window 1's trace").isNotNull();
        assertThat(documents.stream().map(d -> d.get("id")))
                .as("window 1 holds the stand-ins of the stage, its job and its action")
                .contains("00000000000000ab", sparkJob.id(), action.id());
    }

    @SuppressWarnings("unchecked")
    private static void collectNames(List<Map<String, Object>> documents, List<String> names) {
        for (Map<String, Object> document : documents) {
            names.add((String) document.get("name"));
            Object children = document.get("subsegments");
            if (children instanceof List) {
                collectNames((List<Map<String, Object>>) children, names);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> find(List<Map<String, Object>> documents,
                                            java.util.function.Predicate<Map<String, Object>> which) {
        for (Map<String, Object> document : documents) {
            if (which.test(document)) {
                return document;
            }
            Object children = document.get("subsegments");
            if (children instanceof List) {
                Map<String, Object> found = find((List<Map<String, Object>>) children, which);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static String toJson(Map<String, Object> document) {
        StringBuilder out = new StringBuilder();
        new dev.xraybatch.agent.json.JsonWriter(out).value(document);
        return out.toString();
    }
}
