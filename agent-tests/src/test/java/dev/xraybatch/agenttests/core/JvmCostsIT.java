package dev.xraybatch.agenttests.core;

import dev.xraybatch.agenttests.core.jobs.GcPauseJob;
import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.TraceNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JVM's own costs in the trace of a real JVM: the root's GC, JIT and class-loading annotations, and long GC
 * pauses as subsegments of the root where they stopped the job. The pause threshold is set to 1 ms: a full
 * collection of 200 MB of linked objects takes far longer on any machine, so the subsegments exist whatever its
 * speed. Runs on the JDK of {@code -Dchild.java.home} (e.g. Temurin 25).
 */
class JvmCostsIT {
    private static final Pattern GC_CALL = Pattern.compile("(?m)^gc (\\d+) (\\d+) (\\d+)$");
    private static final Pattern BEAN = Pattern.compile("(?m)^bean (.+)\\|(-?\\d+)\\|(-?\\d+)$");

    private static ChildJvm.Result run(LocalXRayEndpoint xray, String... jvmArgs) {
        ChildJvm.Result result = ChildJvm.main(GcPauseJob.class).xray(xray).jvmArgs(jvmArgs)
                .env("XRAY_BATCH_JVM_GC_PAUSE_SUBSEGMENT_MS", "1").run(Duration.ofSeconds(180));
        result.assertExitCode(0);
        return result;
    }

    @Test
    void fullCollectionsAreSubsegmentsOfTheRootWithinTheCallsThatMadeThemAndTheRootAddsThemUp() {
        try (LocalXRayEndpoint xray = LocalXRayEndpoint.start()) {
            ChildJvm.Result result = run(xray, "-XX:+UseSerialGC", "-Xmx768m");
            TraceNode root = xray.onlyTrace().root();
            List<TraceNode> pauses = root.children("GC pause: MarkSweepCompact - System.gc");
            List<long[]> calls = gcCalls(result.stdout());
            assertThat(pauses).as(root.render()).hasSize(3);
            for (int i = 0; i < 3; i++) {
                TraceNode pause = pauses.get(i);
                long[] call = calls.get(i);
                // The pause's times and the job's are whole milliseconds: 1 ms either side is their resolution.
                assertThat(millis(pause.startTime())).as("pause %d starts within its System.gc()", i + 1)
                        .isBetween(call[0] - 1L, call[1] + 1L);
                assertThat(millis(pause.endTime())).as("pause %d ends within its System.gc()", i + 1)
                        .isBetween(call[0] - 1L, call[1] + 1L);
                assertThat(pause.metadata("xray_batch", "gc").path("collector").asText()).isEqualTo("MarkSweepCompact");
                assertThat(pause.metadata("xray_batch", "gc").path("cause").asText()).isEqualTo("System.gc()");
                assertThat(pause.metadata("xray_batch", "gc").path("heap_used_before_bytes").asLong())
                        .as("the live heap").isGreaterThan(100L << 20);
            }

            Map<String, long[]> beans = beans(result.stdout());
            long count = beans.get("Copy")[0] + beans.get("MarkSweepCompact")[0];
            long time = beans.get("Copy")[1] + beans.get("MarkSweepCompact")[1];
            long longest = root.annotation("gc_longest_pause_ms").asLong(-1L);
            long longestSubsegment = pauses.stream()
                    .mapToLong(p -> Math.round((p.endTime() - p.startTime()) * 1000.0)).max().getAsLong();
            // The root is read at the exit, after main printed its beans: collections may only have been added.
            assertThat(root.annotation("gc_count").asLong()).isGreaterThanOrEqualTo(count);
            assertThat(root.annotation("gc_pause_ms").asLong()).isGreaterThanOrEqualTo(time)
                    .isGreaterThanOrEqualTo(longest);
            assertThat(longest).isGreaterThanOrEqualTo(longestSubsegment);

            long beforeMain = root.annotation("classes_loaded_before_main").asLong();
            assertThat(beforeMain).isPositive();
            assertThat(root.annotation("classes_loaded").asLong()).isGreaterThan(beforeMain);
            assertThat(root.child("JVM start-up").metadata("xray_batch", "classes_loaded").asLong())
                    .isEqualTo(beforeMain);
            assertThat(root.annotation("jit_ms").isNumber()).as("jit_ms on %s", root.json()).isTrue();
        }
    }

    /** G1 (Java 20+: its concurrent cycle's Remark and Cleanup are pauses too). */
    @Test
    void g1sPausesAreCounted() {
        try (LocalXRayEndpoint xray = LocalXRayEndpoint.start()) {
            ChildJvm.Result result = run(xray, "-XX:+UseG1GC", "-Xmx768m");
            TraceNode root = xray.onlyTrace().root();
            Map<String, long[]> beans = beans(result.stdout());
            long count = beans.entrySet().stream().filter(b -> b.getKey().startsWith("G1 "))
                    .mapToLong(b -> b.getValue()[0]).sum();
            assertThat(root.annotation("gc_count").asLong()).isGreaterThanOrEqualTo(count);
            assertThat(root.children("GC pause: G1 Old Generation - System.gc")).as(root.render()).hasSize(3);
        }
    }

    /**
     * ZGC's (and Shenandoah's) cycles run beside the job: they take far longer than its pauses, and none of their
     * time counts as pause time.
     */
    @Test
    void zgcsConcurrentCyclesAreNotPauses() {
        concurrentCyclesAreNotPauses("-XX:+UseZGC");
    }

    @Test
    void shenandoahsConcurrentCyclesAreNotPauses() {
        concurrentCyclesAreNotPauses("-XX:+UseShenandoahGC");
    }

    private static void concurrentCyclesAreNotPauses(String collector) {
        try (LocalXRayEndpoint xray = LocalXRayEndpoint.start()) {
            ChildJvm.Result result = run(xray, collector, "-Xmx768m");
            TraceNode root = xray.onlyTrace().root();
            Map<String, long[]> beans = beans(result.stdout());
            long cycleTime = beans.entrySet().stream().filter(b -> b.getKey().endsWith(" Cycles"))
                    .mapToLong(b -> b.getValue()[1]).sum();
            long pauseCount = beans.entrySet().stream().filter(b -> b.getKey().endsWith(" Pauses"))
                    .mapToLong(b -> b.getValue()[0]).sum();
            assertThat(cycleTime).as("three cycles through 200 MB of linked objects").isGreaterThan(50L);
            assertThat(root.annotation("gc_pause_ms").asLong()).as(root.json().toString()).isLessThan(cycleTime);
            assertThat(root.annotation("gc_count").asLong()).isGreaterThanOrEqualTo(pauseCount);
            List<String> names = root.children().stream().map(TraceNode::name).collect(Collectors.toList());
            assertThat(names).noneMatch(n -> n.contains("Cycles"));
        }
    }

    private static long millis(double seconds) {
        return Math.round(seconds * 1000.0);
    }

    private static List<long[]> gcCalls(String stdout) {
        List<long[]> calls = new ArrayList<>();
        Matcher m = GC_CALL.matcher(stdout);
        while (m.find()) {
            calls.add(new long[]{Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
        }
        assertThat(calls).as(stdout).hasSize(3);
        return calls;
    }

    /** Each collector bean's count and time as main ended. */
    private static Map<String, long[]> beans(String stdout) {
        Map<String, long[]> beans = new LinkedHashMap<>();
        Matcher m = BEAN.matcher(stdout);
        while (m.find()) {
            beans.put(m.group(1), new long[]{Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
        }
        assertThat(beans).as(stdout).isNotEmpty();
        return beans;
    }
}
