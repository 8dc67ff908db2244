package dev.xraybatch.agent.instrument.spark.driver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StageTaskStatsTest {
    @Test
    void skewIsTheSlowestTaskAgainstTheMedianWithItsPartition() {
        StageTaskStats stats = new StageTaskStats();
        for (int partition = 0; partition < 40; partition++) {
            stats.taskEnded("1", partition == 17 ? 1000 : 100, partition, true);
        }
        stats.taskEnded("1", 5, 3, false);

        assertThat(stats.summary())
                .containsEntry("succeeded", 40)
                .containsEntry("failed", 1)
                .containsEntry("median_ms", 100L)
                .containsEntry("max_ms", 1000L)
                .containsEntry("slowest_partition", 17)
                .containsEntry("skew", 10.0);
    }

    @Test
    void noTasksNoSummary() {
        assertThat(new StageTaskStats().summary()).isEmpty();
    }
}
