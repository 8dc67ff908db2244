package dev.xraybatch.agenttests.core;

import dev.xraybatch.agenttests.core.jobs.LoggingJob;
import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.TraceNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The trace id reaches the job's logging MDC (SLF4J and Log4j 2), on the main thread and on pool threads. */
class LogCorrelationIT {
    @Test
    void theTraceIdIsInTheMdcOfEveryThreadThatRunsTracedWork() {
        try (LocalXRayEndpoint xray = LocalXRayEndpoint.start()) {
            ChildJvm.Result result = ChildJvm.main(LoggingJob.class).xray(xray)
                    .env("XRAY_BATCH_SHUTDOWN_DEADLINE_MS", "60000").run(Duration.ofSeconds(60));
            result.assertExitCode(0);
            TraceNode root = xray.onlyTrace().root();
            String expected = xray.onlyTrace().traceId() + "@" + root.id();
            assertThat(result.stdout()).contains("main slf4j=" + expected, "main log4j2=" + expected,
                    "pool slf4j=" + expected, "pool log4j2=" + expected);
        }
    }

    @Test
    void withoutTheAgentTheJobSeesNoTraceId() {
        ChildJvm.Result result = ChildJvm.main(LoggingJob.class).withoutAgent().run(Duration.ofSeconds(60));
        result.assertExitCode(0);
        assertThat(result.stdout()).contains("main slf4j=null", "pool log4j2=null");
    }
}
