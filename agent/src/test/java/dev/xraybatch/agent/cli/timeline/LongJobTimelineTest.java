package dev.xraybatch.agent.cli.timeline;

import dev.xraybatch.agent.export.burst.PartIds;
import dev.xraybatch.agent.export.burst.SimulatedJob;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code timeline --trace-id} on a long job: the continuation traces are found (the final root's list, and
 * GetTraceSummaries by annotation) and stitched into one waterfall, against the local X-Ray that holds what the
 * agent's real export sent for a simulated half-hour job.
 */
class LongJobTimelineTest {
    private static final long MINUTE = 60_000L;
    private static final SimulatedJob.Shape HALF_HOUR =
            new SimulatedJob.Shape(30 * MINUTE, 4_000, 10_000, 3, 40, 10 * MINUTE, 7 * MINUTE, 5);

    /** Far more per window than X-Ray takes into one trace. */
    private static final SimulatedJob.Shape DENSE_HALF_HOUR =
            new SimulatedJob.Shape(30 * MINUTE, 250, 1_000, 12, 80, 0, 0, 23);

    @TempDir
    Path home;

    private static final StaticCredentialsProvider KEYS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create(LocalXRayEndpoint.ACCESS_KEY_ID, LocalXRayEndpoint.SECRET_ACCESS_KEY));

    @Test
    void theJobsTraceAndItsContinuationTracesAreOneWaterfall() {
        SimulatedJob job = new SimulatedJob(HALF_HOUR, 5 * MINUTE, 400 * 1024L, home);
        try {
            job.runFor(HALF_HOUR.durationMillis());
            job.finish();
            assertThat(job.xray.traceIds()).hasSize(6);

            // From any of the run's traces: a continuation trace leads to the job's.
            for (String asked : List.of(job.traceId, job.xray.traceIds().get(3))) {
                XRayTraceFetcher.Fetched fetched = XRayTraceFetcher.fetchRun(asked, LocalXRayEndpoint.REGION,
                        job.xray.url(), KEYS, Instant.ofEpochMilli(job.clock.millis()));
                assertThat(fetched.runTraceId).isEqualTo(job.traceId);
                Trace trace = stitched(fetched, job.traceId);
                assertThat(trace.roots).as("one root: the job's").hasSize(1);
                TimelineNode root = trace.roots.get(0);
                assertThat(root.id).isEqualTo(job.tracer.root().id());
                assertThat(root.inProgress()).isFalse();
                assertThat(TraceAssembler.isStandIn(root.document)).isFalse();
                Set<String> ids = new HashSet<>();
                for (Trace.Row row : trace.rows()) {
                    ids.add(row.node.id);
                    assertThat(row.node.orphan()).as(row.node.name + " has its parent").isFalse();
                    assertThat(TraceAssembler.isStandIn(row.node.document)).as(row.node.name + " is the real one")
                            .isFalse();
                }
                assertThat(ids).as("every subsegment the job made").containsAll(job.made.keySet());
            }
        } finally {
            job.close();
        }
    }

    @Test
    void aKilledJobStillStitchesItsSentWindowsUnderItsRootInProgress() {
        SimulatedJob job = new SimulatedJob(HALF_HOUR, 5 * MINUTE, 400 * 1024L, home);
        try {
            job.runFor(17 * MINUTE);
            job.kill();
            XRayTraceFetcher.Fetched fetched = XRayTraceFetcher.fetchRun(job.traceId, LocalXRayEndpoint.REGION,
                    job.xray.url(), KEYS, Instant.ofEpochMilli(job.clock.millis()));
            // No final root to list them: GetTraceSummaries found the three continuation traces.
            assertThat(fetched.notes).contains("stitched 2 continuation traces of " + job.traceId);
            Trace trace = stitched(fetched, job.traceId);
            assertThat(trace.roots).hasSize(1);
            assertThat(trace.roots.get(0).inProgress()).as("the job's end never came").isTrue();
            Set<String> ids = new HashSet<>();
            trace.rows().forEach(row -> ids.add(row.node.id));
            job.made.values().stream().filter(m -> m.endMillis() < job.startMillis + 15 * MINUTE)
                    .forEach(m -> assertThat(ids).as("sent with its window: " + m).contains(m.id()));
        } finally {
            job.close();
        }
    }

    /**
     * A budget above X-Ray's 500,000 bytes of a trace sent together (a {@code trace_budget_kb} set too high): X-Ray
     * closes the job's trace, the window traces and the traces that took over from them again and again. Every
     * trace that holds anything is still found from the job's trace id and stitched whole: each has a root with the
     * run's annotation, and the job's root ends complete.
     */
    @Test
    void whenXRayClosesTracesAgainAndAgainTheRunIsStillFoundAndStitchedWhole() {
        SimulatedJob job = new SimulatedJob(DENSE_HALF_HOUR, 5 * MINUTE, 4096 * 1024L, home);
        try {
            // An executor fills the trace of the job's second window before the driver's burst comes: X-Ray
            // closes it and refuses its root, and the trace holds the executor's work under no root of its own.
            job.runFor(7 * MINUTE);
            String secondWindow = PartIds.partTraceId(job.traceId, 1, job.startMillis + 5 * MINUTE);
            job.spendTrace(secondWindow, 520_000);
            job.runFor(DENSE_HALF_HOUR.durationMillis());
            dev.xraybatch.agent.export.ExportStats stats = job.finish();
            List<String> closed = job.xray.limitExceededTraceIds();
            System.out.printf("X-Ray closed %d traces: %s%n%s%n", closed.size(), closed, job.policy.traces());
            assertThat(closed).as("traces X-Ray closed").hasSizeGreaterThanOrEqualTo(10).contains(job.traceId);
            assertThat(stats.nothingLost()).as(stats.toString()).isTrue();

            assertThat(job.xray.trace(secondWindow).roots()).as("the second window's trace has no root")
                    .noneMatch(node -> node.isSegment());
            List<String> holding = new java.util.ArrayList<>();
            List<String> overflows = new java.util.ArrayList<>();
            job.policy.traces().stream().filter(t -> t.overflow && t.acceptedDocuments > 0)
                    .forEach(t -> overflows.add(t.traceId));
            for (String traceId : job.xray.traceIds()) {
                if (job.xray.quotaUsage(traceId).acceptedDocuments() > 0) {
                    holding.add(traceId);
                }
            }
            // Each trace taken over from a closed one has a root of the job's id with the run's annotation, by
            // which GetTraceSummaries finds it. (Work whose parent X-Ray refused in a closed trace stays without it
            // there; stitched, it finds it.)
            assertThat(overflows).hasSizeGreaterThanOrEqualTo(10);
            for (String traceId : overflows) {
                dev.xraybatch.testsupport.TraceNode root = job.xray.trace(traceId).roots().stream()
                        .filter(node -> node.isSegment() && node.id().equals(job.tracer.root().id()))
                        .findFirst().orElse(null);
                assertThat(root).as("the root of " + traceId).isNotNull();
                assertThat(root.annotation(dev.xraybatch.agent.trace.Tracer.RUN_ANNOTATION).asText())
                        .as("run annotation of " + traceId).isEqualTo(job.traceId);
            }
            // From the job's trace (whose root the start line's console address shows) and from a later one.
            for (String asked : List.of(job.traceId, closed.get(closed.size() - 1))) {
                XRayTraceFetcher.Fetched fetched = XRayTraceFetcher.fetchRun(asked, LocalXRayEndpoint.REGION,
                        job.xray.url(), KEYS, Instant.ofEpochMilli(job.clock.millis()));
                assertThat(fetched.runTraceId).isEqualTo(job.traceId);
                Set<String> fetchedTraces = new HashSet<>();
                for (String document : fetched.documents) {
                    @SuppressWarnings("unchecked")
                    java.util.Map<String, Object> parsed = (java.util.Map<String, Object>)
                            dev.xraybatch.agent.json.JsonReader.parse(document);
                    fetchedTraces.add((String) parsed.get("trace_id"));
                }
                assertThat(fetchedTraces).as("every trace of the run, asked from " + asked)
                        .containsExactlyInAnyOrderElementsOf(holding);
                Trace trace = stitched(fetched, job.traceId);
                assertThat(trace.roots).as("one root: the job's").hasSize(1);
                TimelineNode root = trace.roots.get(0);
                assertThat(root.id).isEqualTo(job.tracer.root().id());
                assertThat(root.inProgress()).as("the job's root ended").isFalse();
                Set<String> ids = new HashSet<>();
                for (Trace.Row row : trace.rows()) {
                    ids.add(row.node.id);
                    assertThat(row.node.orphan()).as(row.node.name + " has its parent").isFalse();
                }
                assertThat(ids).as("every subsegment the job made").containsAll(job.made.keySet());
            }
        } finally {
            job.close();
        }
    }

    private static Trace stitched(XRayTraceFetcher.Fetched fetched, String traceId) {
        TraceAssembler assembler = new TraceAssembler();
        int line = 0;
        for (String document : fetched.documents) {
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> parsed = (java.util.Map<String, Object>)
                    dev.xraybatch.agent.json.JsonReader.parse(document);
            assembler.add(parsed, "document " + ++line);
        }
        assertThat(assembler.problems()).isEmpty();
        List<Trace> traces = assembler.assemble();
        assertThat(traces).extracting(t -> t.traceId).containsExactly(traceId);
        return traces.get(0);
    }
}
