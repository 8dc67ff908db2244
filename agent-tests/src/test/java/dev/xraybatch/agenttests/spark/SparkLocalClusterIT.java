package dev.xraybatch.agenttests.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;

/**
 * The scenario list on {@code local-cluster[2,1,1024]}: two real executor JVMs, each started with the agent, so
 * what executors report travels across processes as it does on EMR or Glue.
 */
class SparkLocalClusterIT {

    @TempDir
    static Path scratch;

    static LocalXRayEndpoint endpoint;
    static ChildJvm.Result run;

    @BeforeAll
    static void runScenarios() {
        endpoint = LocalXRayEndpoint.start();
        run = new SparkDriverLauncher("local-cluster[2,1,1024]", scratch, endpoint).agentOnExecutors().run();
    }

    @AfterAll
    static void stopEndpoint() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void everyScenarioRanAndTheDriverExitedCleanly() {
        run.assertExitCode(0);
        for (String scenario : SparkScenarioJob.SCENARIOS) {
            assertThat(run.output()).contains("scenario " + scenario + " ");
        }
    }
}
