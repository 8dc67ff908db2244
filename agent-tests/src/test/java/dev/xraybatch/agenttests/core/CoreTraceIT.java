package dev.xraybatch.agenttests.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xraybatch.agenttests.core.jobs.ExitingJob;
import dev.xraybatch.agenttests.core.jobs.HandOffJob;
import dev.xraybatch.agenttests.core.jobs.ReturningJob;
import dev.xraybatch.agenttests.core.jobs.ThrowingJob;
import dev.xraybatch.agenttests.core.jobs.WaitingJob;
import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** A job in a real JVM with the agent, sending to a local X-Ray endpoint, for every way a job can end. */
class CoreTraceIT {
    private static LocalXRayEndpoint xray;

    @BeforeAll
    static void startEndpoint() {
        xray = LocalXRayEndpoint.start();
    }

    @AfterAll
    static void stopEndpoint() {
        xray.close();
    }

    @BeforeEach
    void clear() {
        xray.clearFaults();
        xray.clear();
    }

    /**
     * A job sending to the local endpoint. The exit deadline is generous: on a busy 2-core machine building the SDK
     * client alone can take seconds, and these tests are about what arrives, not how fast.
     */
    static ChildJvm job(Class<?> main) {
        return ChildJvm.main(main).xray(xray).env("XRAY_BATCH_SHUTDOWN_DEADLINE_MS", "60000");
    }

    @Test
    void aJobThatReturnsLeavesOneCompleteValidTrace() {
        ChildJvm.Result result = job(ReturningJob.class).run(Duration.ofSeconds(60));
        result.assertExitCode(0);

        Trace trace = xray.onlyTrace();
        TraceNode root = trace.root();
        assertThat(root.name()).isEqualTo("ReturningJob");
        assertThat(root.isInProgress()).isFalse();
        assertThat(root.child("load").child("parse")).isNotNull();
        assertThat(root.hasChild("write")).isTrue();
        assertThat(root.annotation("exit_code").asInt()).isZero();
        assertThat(root.hasFailed()).isFalse();
        assertThat(root.get("aws").path("xray").path("sdk").asText()).isEqualTo("xray-batch-agent");
        // The root starts when the JVM did, before the agent and main; that time is the "JVM start-up" phase, with
        // the agent's own start inside it, so the trace has no unexplained time before main.
        assertThat(root.startTime()).isLessThan(root.child("load").startTime());
        TraceNode startUp = root.child("JVM start-up");
        assertThat(startUp.startTime()).isEqualTo(root.startTime());
        assertThat(startUp.endTime()).isLessThanOrEqualTo(root.child("load").startTime());
        TraceNode agentStart = startUp.child("xray-batch-agent start");
        assertThat(agentStart.startTime()).isGreaterThanOrEqualTo(startUp.startTime());
        assertThat(agentStart.endTime()).isLessThanOrEqualTo(startUp.endTime()).isGreaterThan(agentStart.startTime());
        assertThat(root.uncoveredGaps(1.0)).as(trace.render()).isEmpty();
        // An in-progress root went out at start, then the complete one replaced it.
        List<JsonNode> rootDocs = trace.documents().stream()
                .filter(d -> d.path("id").asText().equals(root.id())).collect(Collectors.toList());
        assertThat(rootDocs).hasSize(2);
        assertThat(rootDocs.get(0).path("in_progress").asBoolean()).isTrue();
        xray.assertNoViolations();
        assertThat(result.stderr()).contains("tracing 'ReturningJob' as trace " + trace.traceId())
                .contains("console: https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#xray:traces/"
                        + trace.traceId())
                .contains("sent 2 documents, retried 0 sends, rejected 0 documents, dropped 0 documents and 0");
    }

    @Test
    void aJobWhoseMainThrowsIsAFaultWithItsCauseAndExitCodeOne() {
        ChildJvm.Result result = job(ThrowingJob.class).run(Duration.ofSeconds(60));
        result.assertExitCode(1);
        assertThat(result.stderr()).contains("java.lang.IllegalStateException: input file is empty");

        TraceNode root = xray.onlyTrace().root();
        assertThat(root.annotation("exit_code").asInt()).isEqualTo(1);
        assertThat(root.get("fault").asBoolean()).isTrue();
        TraceNode validate = root.child("validate");
        assertThat(validate.get("fault").asBoolean()).isTrue();
        JsonNode exceptions = validate.get("cause").path("exceptions");
        assertThat(exceptions.get(0).path("type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(exceptions.get(0).path("message").asText()).isEqualTo("input file is empty");
        assertThat(exceptions.get(1).path("type").asText()).isEqualTo("java.io.EOFException");
        assertThat(exceptions.get(0).path("stack").size()).isGreaterThan(0);
        // The root names the same exception by id instead of repeating it.
        assertThat(root.get("cause").asText()).isEqualTo(exceptions.get(0).path("id").asText());
        xray.assertNoViolations();
    }

    @Test
    void systemExitIsRecordedWithItsStatus() {
        ChildJvm.Result result = job(ExitingJob.class).run(Duration.ofSeconds(60));
        result.assertExitCode(3);

        TraceNode root = xray.onlyTrace().root();
        assertThat(root.annotation("exit_code").asInt()).isEqualTo(3);
        assertThat(root.get("fault").asBoolean()).isTrue();
        TraceNode check = root.child("check");
        assertThat(check.isInProgress()).isFalse();
        assertThat(check.metadata("xray_batch", "ended_by_exit").asBoolean()).isTrue();
        xray.assertNoViolations();
    }

    @Test
    void sigtermFlushesTheTraceAndNamesTheSignal() throws Exception {
        try (ChildJvm.Running job = job(WaitingJob.class).start()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!job.stdout().contains("ready") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(job.stdout()).contains("ready");
            job.sendSignal("TERM");
            ChildJvm.Result result = job.waitFor(Duration.ofSeconds(30));
            result.assertExitCode(143);
        }
        TraceNode root = xray.onlyTrace().root();
        assertThat(root.annotation("exit_code").asInt()).isEqualTo(143);
        assertThat(root.annotation("exit_signal").asText()).isEqualTo("TERM");
        assertThat(root.get("fault").asBoolean()).isTrue();
        assertThat(root.hasChild("prepare")).isTrue();
        assertThat(root.child("wait for input").metadata("xray_batch", "ended_by_exit").asBoolean()).isTrue();
        xray.assertNoViolations();
    }

    @Test
    void workHandedToOtherThreadsStaysUnderTheSubsegmentThatHandedItOver() {
        ChildJvm.Result result = job(HandOffJob.class).run(Duration.ofSeconds(60));
        result.assertExitCode(0);

        TraceNode root = xray.onlyTrace().root();
        TraceNode fanOut = root.child("fan-out");
        List<String> handedOver = fanOut.children().stream().map(TraceNode::name).sorted()
                .collect(Collectors.toList());
        assertThat(handedOver).containsExactlyInAnyOrder("async supply", "async then", "executed task",
                "fork join task", "pool task 0", "pool task 1", "pool task 2", "pool task 3", "scheduled task",
                "thread work");
        assertThat(root.hasChild("after fan-out")).as(root.render()).isTrue();
        xray.assertNoViolations();
    }
}
