package dev.xraybatch.agenttests.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenario list on {@code local-cluster[2,1,1024]}: two real executor JVMs, each started with the agent, so
 * what executors report travels across processes as it does on EMR or Glue.
 */
class SparkLocalClusterIT {

    @TempDir
    static Path scratch;

    static SparkDriverLauncher.Result run;

    @BeforeAll
    static void runScenarios() throws Exception {
        run = new SparkDriverLauncher("local-cluster[2,1,1024]", scratch).agentOnExecutors().run();
    }

    @Test
    void everyScenarioRanAndTheDriverExitedCleanly() {
        assertThat(run.exitCode()).as(run.output()).isZero();
        for (String scenario : SparkScenarioJob.SCENARIOS) {
            assertThat(run.output()).contains("scenario " + scenario + " ");
        }
    }
}
