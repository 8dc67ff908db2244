package dev.xraybatch.agenttests.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole scenario list in one {@code local[2,2]} context (two threads; the second number lets a failed task be
 * retried, which plain {@code local[2]} never does). Tagged representative: the Spark 3.3 and 4.0 profiles run it.
 */
@Tag("spark-representative")
class SparkLocalIT {

    @TempDir
    static Path scratch;

    static SparkDriverLauncher.Result run;

    @BeforeAll
    static void runScenarios() throws Exception {
        run = new SparkDriverLauncher("local[2,2]", scratch).run();
    }

    @Test
    void everyScenarioRanAndTheDriverExitedCleanly() {
        assertThat(run.exitCode()).as(run.output()).isZero();
        for (String scenario : SparkScenarioJob.SCENARIOS) {
            assertThat(run.output()).contains("scenario " + scenario + " ");
        }
        assertThat(run.output()).contains("scenario failing-action failed-as-planned");
    }
}
