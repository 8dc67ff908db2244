package dev.xraybatch.agent.cli.timeline;

import static dev.xraybatch.agent.cli.timeline.Docs.OTHER_TRACE;
import static dev.xraybatch.agent.cli.timeline.Docs.T0;
import static dev.xraybatch.agent.cli.timeline.Docs.TRACE;
import static dev.xraybatch.agent.cli.timeline.Docs.embedded;
import static dev.xraybatch.agent.cli.timeline.Docs.segment;
import static dev.xraybatch.agent.cli.timeline.Docs.subsegment;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TraceAssemblerTest {

    @Test
    void mergesEmbeddedAndIndependentSubsegmentsIntoOneTreeOrderedByStart() {
        List<Trace> traces = Docs.assemble(
                subsegment("late", "b000000000000002", "a000000000000001", 5, 6),
                segment("job", "a000000000000001", 0, 10).children(
                        embedded("early", "b000000000000001", 1, 2).children(embedded("inner", "c000000000000001",
                                1.1, 1.2))),
                subsegment("under inner", "d000000000000001", "c000000000000001", 1.15, 1.18));

        assertThat(traces).hasSize(1);
        Trace trace = traces.get(0);
        assertThat(trace.traceId).isEqualTo(TRACE);
        assertThat(names(trace)).containsExactly("0 job", "1 early", "2 inner", "3 under inner", "1 late");
        assertThat(trace.segmentCount).isEqualTo(1);
        assertThat(trace.subsegmentCount).isEqualTo(4);
        assertThat(trace.start).isEqualTo(T0);
        assertThat(trace.duration()).isEqualTo(10.0);
        TimelineNode root = trace.roots.get(0);
        assertThat(root.segment).isTrue();
        assertThat(root.document).doesNotContainKey("subsegments");
        assertThat(root.children.get(0).segment).isFalse();
    }

    @Test
    void aCompleteDocumentReplacesTheInProgressOneWhicheverArrivesFirst() {
        Docs inProgress = segment("job", "a000000000000001", 0, 0).inProgress().annotation("phase", "start");
        Docs complete = segment("job", "a000000000000001", 0, 4).annotation("phase", "end");

        for (List<Trace> traces : List.of(Docs.assemble(inProgress, complete), Docs.assemble(complete, inProgress))) {
            TimelineNode root = traces.get(0).roots.get(0);
            assertThat(root.inProgress()).isFalse();
            assertThat(root.end).isEqualTo(T0 + 4);
            assertThat(root.annotations()).containsEntry("phase", "end");
            assertThat(traces.get(0).segmentCount).isEqualTo(1);
        }
    }

    @Test
    void subsegmentsEmbeddedOnlyInAReplacedInProgressDocumentGoWithIt() {
        List<Trace> traces = Docs.assemble(
                segment("job", "a000000000000001", 0, 0).inProgress()
                        .children(embedded("step", "b000000000000001", 1, 0).inProgress(),
                                embedded("dropped", "b000000000000009", 1, 2)),
                segment("job", "a000000000000001", 0, 9).children(embedded("step", "b000000000000001", 1, 3)));

        assertThat(names(traces.get(0))).containsExactly("0 job", "1 step");
        assertThat(traces.get(0).roots.get(0).children.get(0).end).isEqualTo(T0 + 3);
    }

    @Test
    void anIndependentCompleteSubsegmentWinsOverTheInProgressCopyEmbeddedInItsParent() {
        List<Trace> traces = Docs.assemble(
                subsegment("step", "b000000000000001", "a000000000000001", 1, 3).put("error", true),
                segment("job", "a000000000000001", 0, 9).children(embedded("step", "b000000000000001", 1, 0)
                        .inProgress()));

        TimelineNode step = traces.get(0).roots.get(0).children.get(0);
        assertThat(traces.get(0).subsegmentCount).isEqualTo(1);
        assertThat(step.inProgress()).isFalse();
        assertThat(step.error).isTrue();
    }

    @Test
    void anOrphanIsShownUnderTheRootWithItsMissingParent() {
        List<Trace> traces = Docs.assemble(segment("job", "a000000000000001", 0, 9),
                subsegment("lost", "b000000000000001", "ffffffffffffffff", 1, 2));

        TimelineNode root = traces.get(0).roots.get(0);
        assertThat(root.children).hasSize(1);
        TimelineNode lost = root.children.get(0);
        assertThat(lost.name).isEqualTo("lost");
        assertThat(lost.orphan()).isTrue();
        assertThat(lost.missingParentId).isEqualTo("ffffffffffffffff");
        assertThat(root.orphan()).isFalse();
    }

    @Test
    void withoutAnyRootSegmentOrphansHangUnderAMarkedStandIn() {
        List<Trace> traces = Docs.assemble(subsegment("a", "b000000000000001", "a000000000000001", 1, 2),
                subsegment("b", "b000000000000002", "a000000000000001", 3, 5));

        Trace trace = traces.get(0);
        assertThat(trace.roots).hasSize(1);
        TimelineNode standIn = trace.roots.get(0);
        assertThat(standIn.placeholder).isTrue();
        assertThat(standIn.name).contains("not received");
        assertThat(standIn.children).extracting(n -> n.name).containsExactly("a", "b");
        assertThat(standIn.children).allMatch(TimelineNode::orphan);
        assertThat(trace.segmentCount).isZero();
        assertThat(trace.duration()).isEqualTo(4.0);
    }

    @Test
    void aSegmentWhoseCallerIsOutsideTheFileIsARootNotAnOrphan() {
        List<Trace> traces = Docs.assemble(segment("job", "a000000000000001", 0, 9).put("parent_id",
                "9999999999999999"), segment("executor", "a000000000000002", 1, 8).put("parent_id",
                "a000000000000001"));

        assertThat(names(traces.get(0))).containsExactly("0 job", "1 executor");
        assertThat(traces.get(0).roots.get(0).orphan()).isFalse();
    }

    @Test
    void aLoopOfParentIdsIsCutSoNothingSentGoesMissing() {
        List<Trace> traces = Docs.assemble(segment("job", "a000000000000001", 0, 9),
                subsegment("x", "b000000000000001", "b000000000000002", 1, 2),
                subsegment("y", "b000000000000002", "b000000000000001", 3, 4));

        assertThat(traces.get(0).rows()).hasSize(3);
        TimelineNode root = traces.get(0).roots.get(0);
        assertThat(root.children).hasSize(1);
        assertThat(root.children.get(0).orphan()).isTrue();
        assertThat(root.children.get(0).children).hasSize(1);
    }

    @Test
    void separatesTracesAndSortsThemByStart() {
        List<Trace> traces = Docs.assemble(segment("second", "a000000000000002", 50, 60).put("trace_id", OTHER_TRACE),
                segment("first", "a000000000000001", 0, 9));

        assertThat(traces).extracting(t -> t.traceId).containsExactly(TRACE, OTHER_TRACE);
    }

    @Test
    void recognisesSummariesByTheTracersMetadataOrByName() {
        Map<String, Object> stats = Docs.map("count", 10L, "total_ms", 5.0);
        List<Trace> traces = Docs.assemble(segment("job", "a000000000000001", 0, 9),
                subsegment("S3", "b000000000000001", "a000000000000001", 1, 2).summary(stats),
                subsegment("tasks (summary)", "b000000000000002", "a000000000000001", 3, 4),
                subsegment("computeSummary", "b000000000000003", "a000000000000001", 5, 6));

        List<TimelineNode> children = traces.get(0).roots.get(0).children;
        assertThat(children.get(0).isSummary).isTrue();
        assertThat(children.get(0).summary).isEqualTo(stats);
        assertThat(children.get(1).isSummary).isTrue();
        assertThat(children.get(1).summary).isNull();
        assertThat(children.get(2).isSummary).isFalse();
    }

    @Test
    void reportsDocumentsItCannotUseAndKeepsTheRest() {
        TraceAssembler assembler = new TraceAssembler();
        assembler.add(Docs.map("name", "no id", "trace_id", TRACE, "start_time", T0), "line 1");
        assembler.add(Docs.map("id", "a000000000000001", "trace_id", TRACE, "start_time", "yesterday"), "line 2");
        assembler.add(segment("job", "a000000000000001", 0, 1).map(), "line 3");

        assertThat(assembler.problems()).hasSize(2);
        assertThat(assembler.problems().get(0)).startsWith("line 1: not a segment document");
        assertThat(assembler.assemble().get(0).rows()).hasSize(1);
    }

    @Test
    void assemblesTenThousandSubsegments() {
        List<Trace> traces = Docs.assemble(Docs.bigJob(10_000));

        Trace trace = traces.get(0);
        assertThat(trace.subsegmentCount).isEqualTo(10_000);
        List<Trace.Row> rows = trace.rows();
        assertThat(rows).hasSize(10_001);
        assertThat(rows.get(1).node.name).isEqualTo("stage 0");
        assertThat(rows.get(2).node.name).isEqualTo("call 0");
        assertThat(rows.get(2).parentIndex).isEqualTo(1);
        assertThat(rows.get(rows.size() - 1).depth).isEqualTo(2);
    }

    @Test
    void aVeryDeepChainNeedsNoRecursion() {
        List<Docs> documents = new ArrayList<>();
        documents.add(segment("job", "a000000000000001", 0, 100));
        String parent = "a000000000000001";
        for (int i = 0; i < 20_000; i++) {
            String id = String.format("%016x", 0x300000L + i);
            documents.add(subsegment("level " + i, id, parent, i * 0.001, 100 - i * 0.001));
            parent = id;
        }
        List<Trace.Row> rows = Docs.assemble(documents.toArray(new Docs[0])).get(0).rows();
        assertThat(rows).hasSize(20_001);
        assertThat(rows.get(20_000).depth).isEqualTo(20_000);
    }

    private static List<String> names(Trace trace) {
        List<String> names = new ArrayList<>();
        for (Trace.Row row : trace.rows()) {
            names.add(row.depth + " " + row.node.name);
        }
        return names;
    }

    @Test
    void aContinuationTraceIsStitchedIntoTheJobsTraceWhereRealDocumentsWinOverStandIns() {
        Map<String, Object> continued = Map.of("xray_batch", Map.of("continued", true));
        List<Trace> traces = Docs.assemble(
                segment("job", "a000000000000001", 0, 0).inProgress().annotation("xray_batch_run", TRACE),
                // The continuation trace: a root standing in for the job's, the action stood in for, its call.
                segment("job", "a000000000000001", 300, 600).put("trace_id", OTHER_TRACE)
                        .annotation("xray_batch_run", TRACE).annotation("xray_batch_part", 1L),
                subsegment("action", "b000000000000001", "a000000000000001", 300, 0).inProgress()
                        .put("trace_id", OTHER_TRACE).put("metadata", continued),
                subsegment("S3", "c000000000000001", "b000000000000001", 400, 401).put("trace_id", OTHER_TRACE),
                // The job's end, with the action ended.
                segment("job", "a000000000000001", 0, 700).annotation("xray_batch_run", TRACE)
                        .children(embedded("action", "b000000000000001", 10, 650)));

        assertThat(traces).extracting(t -> t.traceId).containsExactly(TRACE);
        Trace trace = traces.get(0);
        assertThat(names(trace)).containsExactly("0 job", "1 action", "2 S3");
        TimelineNode root = trace.roots.get(0);
        assertThat(root.end).isEqualTo(T0 + 700);
        assertThat(root.annotations()).doesNotContainKey("xray_batch_part");
        TimelineNode action = root.children.get(0);
        assertThat(action.start).as("the real action, not its stand-in").isEqualTo(T0 + 10);
        assertThat(action.inProgress()).isFalse();
    }
}
