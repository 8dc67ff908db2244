package dev.xraybatch.agenttests.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.TraceNode;

/**
 * The scenario list on {@code local-cluster[2,1,1024]} with windows of three seconds, against the local X-Ray with
 * its trace quota on: the driver and two executor JVMs, each with the agent, send into the same continuation traces
 * at the same window ends (the driver's run reaches the executors in the action property). Every trace is whole on
 * its own: each executor summary finds its stage in its trace (the stage itself, or the driver's stand-in of it),
 * every trace keeps within the model, and nothing is refused.
 */
class SparkLongJobIT {
    private static final Pattern PART_LINE = Pattern.compile("part (\\d+) of trace (\\S+) sent as trace (\\S+):");
    private static final String SUMMARY_NAME = "stage \\d+ on executor \\d+";

    @TempDir
    Path scratch;

    @Test
    void driverAndExecutorsSendIntoTheSameWholeContinuationTraces() {
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.builder().traceQuota(true).start()) {
            ChildJvm.Result run = new SparkDriverLauncher("local-cluster[2,1,1024]", scratch, endpoint)
                    .agentOnExecutors().env("XRAY_BATCH_LONG_JOBS_WINDOW_S", "3").run();
            run.assertExitCode(0);
            endpoint.assertNoViolations();
            assertThat(endpoint.quotaRefusedCount()).isZero();

            Matcher start = Pattern.compile("tracing '[^']*' as trace (\\S+) ").matcher(run.stderr());
            assertThat(start.find()).isTrue();
            String jobTrace = start.group(1);
            Map<String, Integer> parts = new HashMap<>();
            Matcher m = PART_LINE.matcher(run.stderr());
            while (m.find()) {
                parts.put(m.group(3), Integer.parseInt(m.group(1)));
            }
            assertThat(parts).as("a run of tens of seconds in windows of three").hasSizeGreaterThan(3);

            int summaries = 0;
            List<String> summariesByTrace = new ArrayList<>();
            for (String traceId : endpoint.traceIds()) {
                assertThat(traceId.equals(jobTrace) || parts.containsKey(traceId))
                        .as(traceId + " is the job's or one of its continuation traces").isTrue();
                List<TraceNode> roots = endpoint.trace(traceId).roots();
                assertThat(roots).as("every document of " + traceId + " finds its parent there:\n"
                        + endpoint.trace(traceId).render()).hasSize(1);
                long here = endpoint.trace(traceId).nodes().stream().filter(n -> n.name().matches(SUMMARY_NAME))
                        .count();
                summaries += (int) here;
                summariesByTrace.add(here + " in " + (traceId.equals(jobTrace) ? "the job's trace" : "part "
                        + parts.get(traceId)));
                assertThat(endpoint.quotaUsage(traceId).bursts()).as("bursts of " + traceId)
                        .isLessThanOrEqualTo(traceId.equals(jobTrace) ? 3 : 1);
            }
            System.out.printf("Spark with 3 s windows: %d traces, %d executor summaries (%s)%n",
                    endpoint.traceIds().size(), summaries, summariesByTrace);
            assertThat(summaries).as("the executors' summaries arrived").isPositive();
            TraceNode root = endpoint.trace(jobTrace).root();
            assertThat(root.isInProgress()).isFalse();
        }
    }
}
