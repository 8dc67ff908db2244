package dev.xraybatch.agenttests.gaps;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A plain JVM job that spends its time in its own methods, with no pointcut: the agent samples its main thread
 * while it is in no subsegment and names each stretch after the job's method that ran it, so the root is covered.
 */
class GapsIT {
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
        xray.clear();
    }

    private static ChildJvm job() {
        return ChildJvm.main(PlainJob.class).xray(xray).env("XRAY_BATCH_SHUTDOWN_DEADLINE_MS", "60000");
    }

    @Test
    void aJobsOwnComputingSleepingAndWaitingAreNamedAfterItsMethodsAndTheRootIsCovered() {
        ChildJvm.Result result = job().run(Duration.ofSeconds(90));
        result.assertExitCode(0);

        Trace trace = xray.onlyTrace();
        TraceNode root = trace.root();
        List<String> names = root.children().stream().map(TraceNode::name).collect(Collectors.toList());
        assertThat(names).as(trace.render()).containsSubsequence("JVM start-up", "read input", "PlainJob.warmCache",
                "PlainJob.pause: sleeping", "PlainJob.awaitLedger: blocked on a monitor",
                "PlainJob.crunch", "write output", "JVM shut-down");
        assertThat(root.uncoveredGaps(1.0)).as(trace.render()).isEmpty();
        assertThat(root.coveredShare()).as(trace.render() + root.uncoveredGaps(0.02)).isGreaterThanOrEqualTo(0.95);

        TraceNode warm = root.child("PlainJob.warmCache");
        assertThat(warm.metadata("gaps", "after").asText()).isEqualTo("read input");
        assertThat(warm.metadata("gaps", "places").fieldNames().next())
                .startsWith(PlainJob.class.getName() + ".warmCache(PlainJob.java:");
        assertThat(warm.metadata("gaps", "thread_states").has("RUNNABLE")).isTrue();
        assertThat(warm.metadata("gaps", "top_frames").size()).isPositive();
        // Main waited for a thread it started: the time is named after what that thread ran, and says so.
        TraceNode crunch = root.child("PlainJob.crunch");
        assertThat(crunch.metadata("gaps", "before").asText()).isEqualTo("write output");
        assertThat(crunch.metadata("gaps", "other_threads").has("worker")).as(crunch.toString()).isTrue();
        assertThat(crunch.metadata("gaps", "waited_as").has("PlainJob.waitForWorker: waiting on CountDownLatch.Sync"))
                .isTrue();
        assertThat(crunch.metadata("gaps", "places").fieldNames().next())
                .startsWith(PlainJob.class.getName() + ".crunch(PlainJob.java:");

        // The closing line names the job's methods with the most sampled time, as pointcuts to paste.
        assertThat(result.stderr()).contains("pointcuts to paste into the config file: pointcuts: [{classes: "
                + PlainJob.class.getName() + ", methods: warmCache}");
    }

    /**
     * The pointcut the closing line suggests, pasted for the worker's method: the worker's time is that subsegment,
     * and main's wait for it keeps its own name instead of being named after the worker a second time.
     */
    @Test
    void workHandedOffThatAPointcutTracesIsNotNamedTwice(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("xray-batch.yaml");
        Files.write(config, ("pointcuts: [{classes: " + PlainJob.class.getName() + ", methods: crunch}]\n")
                .getBytes(StandardCharsets.UTF_8));
        ChildJvm.Result result = job().agentArgs("config=" + config).run(Duration.ofSeconds(90));
        result.assertExitCode(0);

        Trace trace = xray.onlyTrace();
        TraceNode root = trace.root();
        List<TraceNode> crunch = root.children().stream().filter(c -> c.name().contains("crunch"))
                .collect(Collectors.toList());
        assertThat(crunch).as(trace.render()).hasSize(1);
        assertThat(crunch.get(0).isSampled()).as("the pointcut's subsegment").isFalse();
        assertThat(root.children()).extracting(TraceNode::name).as(trace.render())
                .contains("PlainJob.waitForWorker: waiting on CountDownLatch.Sync");
    }

    @Test
    void withGapsDisabledTheJobsOwnTimeIsNotSampled() {
        ChildJvm.Result result = job().env("XRAY_BATCH_GAPS_ENABLED", "false").run(Duration.ofSeconds(90));
        result.assertExitCode(0);

        TraceNode root = xray.onlyTrace().root();
        assertThat(root.children()).extracting(TraceNode::name)
                .containsExactly("JVM start-up", "read input", "write output", "JVM shut-down");
        assertThat(result.stderr()).doesNotContain("pointcuts to paste");
    }
}
