package dev.xraybatch.agenttests.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xraybatch.agenttests.core.jobs.ReturningJob;
import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent adds nothing to the job's stderr but its own lines: no JVM warning. Java 24 and later warn on every
 * caller of {@code sun.misc.Unsafe}'s memory access (Byte Buddy's class injection was one), and appending a jar to
 * the boot class path makes the JVM warn that class data sharing is off for application classes.
 */
class JvmWarningsIT {
    /** The newest JDK here; the test is skipped on machines without it. */
    static final Path TEMURIN_25 = Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64");
    private static LocalXRayEndpoint xray;

    @BeforeAll
    static void startEndpoint() {
        xray = LocalXRayEndpoint.start();
    }

    @AfterAll
    static void stopEndpoint() {
        xray.close();
    }

    @Test
    void onJava25TheJobsStderrHoldsOnlyTheAgentsLines() {
        Assumptions.assumeTrue(Files.isExecutable(TEMURIN_25.resolve("bin").resolve("java")), "no JDK 25 here");
        assertOnlyAgentLines(ChildJvm.main(ReturningJob.class).javaHome(TEMURIN_25));
    }

    @Test
    void onTheChildJdkTheJobsStderrHoldsOnlyTheAgentsLines() {
        assertOnlyAgentLines(ChildJvm.main(ReturningJob.class));
    }

    private static void assertOnlyAgentLines(ChildJvm job) {
        xray.clear();
        ChildJvm.Result result = job.xray(xray).run(Duration.ofSeconds(90));

        result.assertExitCode(0);
        List<String> others = result.stderr().lines().filter(line -> !line.startsWith("[xray-batch-agent] "))
                .collect(Collectors.toList());
        assertThat(others).as(result.toString()).isEmpty();
        // Traced, so the agent did all it does at start (bridge classes, instrumentation, exporter).
        assertThat(xray.onlyTrace().root().child("load").child("parse")).isNotNull();
    }
}
