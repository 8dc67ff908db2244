package dev.xraybatch.agenttests.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xraybatch.agenttests.core.jobs.FailingInitJob;
import dev.xraybatch.agenttests.core.jobs.OutcomeJob;
import dev.xraybatch.agenttests.core.jobs.OutcomeLib;
import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.TraceNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job's outcome on the root segment for every way a JVM ends, launched every way jobs are: a main class on a
 * class path, {@code java -jar} with a fat jar, with a thin jar whose manifest's {@code Class-Path} names its
 * library, and with a Spring Boot executable jar (Boot's launcher loads the job from {@code BOOT-INF/classes}).
 * Each run checks the root's {@code exit_code}, fault and cause against the process's real exit, and that the
 * trace begins with {@code JVM start-up} and ends with {@code JVM shut-down}.
 */
class JobOutcomeIT {
    private static LocalXRayEndpoint xray;
    private static JobJars jars;

    enum Launch { CLASS_PATH, FAT_JAR, THIN_JAR, BOOT_JAR }

    @BeforeAll
    static void start() {
        xray = LocalXRayEndpoint.start();
        jars = new JobJars(Path.of("target", "job-jars").toAbsolutePath(),
                List.of(OutcomeJob.class, FailingInitJob.class), List.of(OutcomeLib.class));
    }

    @AfterAll
    static void stop() {
        xray.close();
    }

    @BeforeEach
    void clear() {
        xray.clear();
    }

    private static ChildJvm job(Launch launch, Class<?> main) {
        ChildJvm child;
        switch (launch) {
            case FAT_JAR -> child = ChildJvm.jar(jars.fat(main));
            case THIN_JAR -> child = ChildJvm.jar(jars.thin(main));
            case BOOT_JAR -> child = ChildJvm.jar(jars.boot(main));
            default -> child = ChildJvm.main(main);
        }
        return child.name(launch + "-" + main.getSimpleName()).xray(xray);
    }

    @ParameterizedTest
    @EnumSource(Launch.class)
    void mainReturns(Launch launch) {
        ChildJvm.Result result = job(launch, OutcomeJob.class).args("return").run(Duration.ofSeconds(60));
        result.assertExitCode(0);
        if (launch == Launch.BOOT_JAR) {
            // The job really ran from BOOT-INF/classes, in Boot's own class loader.
            assertThat(result.stdout()).contains("loaded by org.springframework.boot.loader.");
        }

        TraceNode root = rootWithBothPhases();
        assertThat(root.annotation("exit_code").asInt()).isZero();
        assertThat(root.hasFailed()).isFalse();
        assertThat(root.get("cause").isMissingNode()).isTrue();
        xray.assertNoViolations();
    }

    @ParameterizedTest
    @EnumSource(Launch.class)
    void mainThrows(Launch launch) {
        ChildJvm.Result result = job(launch, OutcomeJob.class).args("throw").run(Duration.ofSeconds(60));
        result.assertExitCode(1);

        TraceNode root = rootWithBothPhases();
        assertThat(root.annotation("exit_code").asInt()).isEqualTo(1);
        assertThat(root.get("fault").asBoolean()).isTrue();
        // The job's own exception, also under Boot (whose launcher rethrows it wrapped).
        JsonNode exceptions = root.get("cause").path("exceptions");
        assertThat(exceptions.get(0).path("type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(exceptions.get(0).path("message").asText()).isEqualTo("the job failed on purpose");
        xray.assertNoViolations();
    }

    @ParameterizedTest
    @EnumSource(Launch.class)
    void systemExit(Launch launch) {
        ChildJvm.Result result = job(launch, OutcomeJob.class).args("exit").run(Duration.ofSeconds(60));
        result.assertExitCode(3);

        TraceNode root = rootWithBothPhases();
        assertThat(root.annotation("exit_code").asInt()).isEqualTo(3);
        assertThat(root.get("fault").asBoolean()).isTrue();
        xray.assertNoViolations();
    }

    @ParameterizedTest
    @EnumSource(Launch.class)
    void sigterm(Launch launch) throws Exception {
        try (ChildJvm.Running job = job(launch, OutcomeJob.class).args("wait").start()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!job.stdout().contains("ready") && job.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(job.stdout()).contains("ready");
            job.sendSignal("TERM");
            job.waitFor(Duration.ofSeconds(60)).assertExitCode(143);
        }
        TraceNode root = rootWithBothPhases();
        assertThat(root.annotation("exit_code").asInt()).isEqualTo(143);
        assertThat(root.annotation("exit_signal").asText()).isEqualTo("TERM");
        assertThat(root.get("fault").asBoolean()).isTrue();
        xray.assertNoViolations();
    }

    @ParameterizedTest
    @EnumSource(Launch.class)
    void aNonDaemonThreadDiesAfterMainReturned(Launch launch) {
        ChildJvm.Result result = job(launch, OutcomeJob.class).args("thread-throws").run(Duration.ofSeconds(60));
        // The JVM's exit code is main's: 0. The trace says so, and that the job failed all the same.
        result.assertExitCode(0);
        assertThat(result.stderr()).contains("the worker failed after main returned");

        TraceNode root = rootWithBothPhases();
        assertThat(root.annotation("exit_code").asInt()).isZero();
        assertThat(root.get("fault").asBoolean()).isTrue();
        JsonNode exceptions = root.get("cause").path("exceptions");
        assertThat(exceptions.get(0).path("type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(exceptions.get(0).path("message").asText()).isEqualTo("the worker failed after main returned");
        assertThat(root.metadata("xray_batch", "uncaught_exception_thread").asText()).isEqualTo("outcome-worker");
        // The shut-down begins when the last thread ended, not when main returned: the worker's work is the job's.
        TraceNode work = root.child("work after main");
        assertThat(root.child("JVM shut-down").startTime()).as(root.render()).isGreaterThanOrEqualTo(work.endTime());
        xray.assertNoViolations();
    }

    @ParameterizedTest
    @EnumSource(Launch.class)
    void theMainClassStaticInitialiserThrows(Launch launch) {
        ChildJvm.Result result = job(launch, FailingInitJob.class).run(Duration.ofSeconds(60));
        result.assertExitCode(1);
        assertThat(result.stderr()).contains("ExceptionInInitializerError");

        TraceNode root = rootWithBothPhases();
        assertThat(root.annotation("exit_code").asInt()).isEqualTo(1);
        assertThat(root.get("fault").asBoolean()).isTrue();
        JsonNode exceptions = root.get("cause").path("exceptions");
        assertThat(exceptions.get(0).path("type").asText()).isEqualTo("java.lang.ExceptionInInitializerError");
        assertThat(exceptions.get(1).path("type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(exceptions.get(1).path("message").asText()).isEqualTo("no configuration for the job");
        xray.assertNoViolations();
    }

    /** The one trace's complete root, which starts with the JVM's start-up and ends with its shut-down. */
    private static TraceNode rootWithBothPhases() {
        TraceNode root = xray.onlyTrace().root();
        assertThat(root.isInProgress()).as(root.render()).isFalse();
        assertThat(root.hasChild("JVM start-up")).as(root.render()).isTrue();
        assertThat(root.hasChild("JVM shut-down")).as(root.render()).isTrue();
        TraceNode startUp = root.child("JVM start-up");
        TraceNode shutDown = root.child("JVM shut-down");
        assertThat(startUp.startTime()).isEqualTo(root.startTime());
        assertThat(startUp.endTime()).isLessThanOrEqualTo(shutDown.startTime());
        assertThat(shutDown.endTime()).isLessThanOrEqualTo(root.endTime());
        return root;
    }
}
