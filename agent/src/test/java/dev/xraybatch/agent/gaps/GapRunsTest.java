package dev.xraybatch.agent.gaps;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GapRunsTest {
    private static GapSampler.Run run(String name, long start, int samples) {
        GapSampler.Run r = new GapSampler.Run(name, start);
        r.samples = samples;
        return r;
    }

    @Test
    void runsShorterThanTheMinimumJoinANeighbourAndTheRunsStillCoverTheStretch() {
        List<GapSampler.Run> sampled = Arrays.asList(
                run("Job.warm", 1_000, 20),          // 1.0 s
                run("Job.warm: class loading", 1_001_000, 1), // 50 ms blip
                run("Job.warm", 1_051_000, 10),
                run("Job.pause: sleeping", 1_551_000, 14));
        List<GapSampler.Run> runs = GapSampler.runsOfAtLeast(sampled, 0, 2_300_000, GapSampler.MIN_RUN_MICROS);
        assertThat(runs).extracting(r -> r.name).containsExactly("Job.warm", "Job.pause: sleeping");
        assertThat(runs.get(0).startMicros).isZero();
        assertThat(runs.get(0).endMicros).isEqualTo(1_551_000);
        assertThat(runs.get(0).samples).isEqualTo(31);
        assertThat(runs.get(1).endMicros).isEqualTo(2_300_000);
    }

    @Test
    void aStretchOfShortRunsBecomesOneRunNamedAfterTheOneWithMostSamples() {
        List<GapSampler.Run> sampled = Arrays.asList(run("a", 0, 1), run("b", 40_000, 2), run("c", 90_000, 1));
        List<GapSampler.Run> runs = GapSampler.runsOfAtLeast(sampled, 0, 130_000, GapSampler.MIN_RUN_MICROS);
        assertThat(runs).extracting(r -> r.name).containsExactly("b");
        assertThat(runs.get(0).endMicros).isEqualTo(130_000);
    }

    @Test
    void theClosingLineSuggestsTheJobsMethodsAsPointcutsToPaste() {
        String line = MainThreadGaps.suggestedPointcuts(Arrays.asList(
                new String[] {"com.acme.Job", "warmCache", "2040000"}, new String[] {"com.acme.Job", "pause", "800000"}));
        assertThat(line).contains("Job.warmCache ~2.0 s, Job.pause ~0.8 s")
                .endsWith("pointcuts: [{classes: com.acme.Job, methods: warmCache},"
                        + " {classes: com.acme.Job, methods: pause}]");
        assertThat(MainThreadGaps.isPointcutName("lambda$main$0")).isFalse();
        assertThat(MainThreadGaps.isPointcutName("<init>")).isFalse();
    }
}
