package dev.xraybatch.agenttests.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.Trace;

/**
 * The whole scenario list in one {@code local[2,2]} context (two threads; the second number lets a failed task be
 * retried, which plain {@code local[2]} never does). Tagged representative: the Spark 3.3 and 4.0 profiles run it.
 */
@Tag("spark-representative")
class SparkLocalIT {

    @TempDir
    static Path scratch;

    static LocalXRayEndpoint endpoint;
    static ChildJvm.Result run;

    @BeforeAll
    static void runScenarios() {
        endpoint = LocalXRayEndpoint.start();
        run = new SparkDriverLauncher("local[2,2]", scratch, endpoint).run();
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
        assertThat(run.output()).contains("scenario failing-action failed-as-planned");
    }

    @Test
    void oneSubsegmentPerActionNamedByItsCallSite() {
        Trace trace = SparkTraces.driverTrace(endpoint);
        assertThat(SparkTraces.actionNames(trace)).as(trace.render())
                .containsExactlyElementsOf(SparkTraces.EXPECTED_ACTIONS);
    }
}
