package dev.xraybatch.agent.lifecycle;

import dev.xraybatch.agent.export.DocumentExporter;
import dev.xraybatch.agent.export.ExportPipeline;
import dev.xraybatch.agent.export.ExportSettings;
import dev.xraybatch.agent.export.SendOutcome;
import dev.xraybatch.agent.trace.Ids;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JobLifecycleTest {
    private final List<String> sent = Collections.synchronizedList(new ArrayList<>());
    private final Tracer tracer = Tracer.start(Ids.newTraceId(System.currentTimeMillis()), "job",
            Tracer.nowMicros(), null, "xray-batch-agent", "test", this::offer);
    private final ExportPipeline pipeline = ExportPipeline.start(new DocumentExporter() {
        @Override
        public SendOutcome send(List<String> documents) {
            sent.addAll(documents);
            return SendOutcome.accepted();
        }

        @Override
        public String describe() {
            return "memory";
        }

        @Override
        public void close() {
        }
    }, ExportSettings.builder().build());
    private final JobLifecycle lifecycle = new JobLifecycle(tracer, pipeline, 10_000L);

    private void offer(dev.xraybatch.agent.export.Emittable item) {
        pipeline.offer(item);
    }

    @Test
    void theExitFlushWaitsForHoldersSoThatTheirLastWorkIsSent() throws Exception {
        Runnable release = lifecycle.holdExitFlush();
        Thread exitHook = new Thread(lifecycle::flushAtExit);
        exitHook.start();
        while (exitHook.isAlive() && exitHook.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(1);
        }
        assertThat(exitHook.isAlive()).as("the flush waits for the holder").isTrue();
        // What a holder does in another shutdown hook while the flush waits: its last documents, then release.
        Subsegment last = tracer.beginDetached(tracer.traceId(), tracer.root().id(), "stage 3 on executor 1",
                Tracer.nowMicros());
        tracer.end(last);
        release.run();
        release.run(); // counts once
        exitHook.join();

        assertThat(sent).anySatisfy(doc -> assertThat(doc).contains("stage 3 on executor 1"));
        assertThat(sent).anySatisfy(doc -> assertThat(doc).contains("\"name\":\"job\"").doesNotContain("in_progress"));
    }

    /** The complete root document the exit flush sent. */
    private String finalRoot() {
        lifecycle.flushAtExit();
        return sent.stream().filter(doc -> doc.contains("\"name\":\"job\"") && !doc.contains("in_progress"))
                .findFirst().orElseThrow(AssertionError::new);
    }

    private static Thread thread(String name, boolean daemon) {
        Thread thread = new Thread(() -> { }, name);
        thread.setDaemon(daemon);
        return thread;
    }

    /**
     * With the Spark plugin the agent attaches after main began, so main's end is never seen; the JVM shutting down
     * is then where the job's end began. The driver's gap sampler cuts there: before, it found no end and its last
     * 'python driver code' ran into 'JVM shut-down' (PySparkPluginIT).
     */
    @Test
    void whenMainsEndIsUnseenTheJobsEndIsWhereTheJvmBeganToShutDown() {
        assertThat(lifecycle.endingMicros()).isZero();
        lifecycle.lastThreadEnded();
        long ending = lifecycle.endingMicros();
        assertThat(ending).isPositive();

        String root = finalRoot();
        double shutDownStart = startOf(root, "JVM shut-down");
        assertThat(shutDownStart).isGreaterThanOrEqualTo(ending / 1e6);
    }

    private static double startOf(String document, String name) {
        int at = document.indexOf("\"name\":\"" + name + "\"");
        assertThat(at).as("%s in %s", name, document).isNotNegative();
        int object = document.lastIndexOf('{', at);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"start_time\":([0-9.eE+]+)")
                .matcher(document.substring(object));
        assertThat(m.find()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aNonDaemonThreadsUncaughtExceptionIsTheCauseButTheExitCodeStaysTheJvms() {
        lifecycle.mainEnded(null);
        lifecycle.uncaughtException(thread("background", true), new IllegalStateException("daemon noise"));
        lifecycle.uncaughtException(thread("worker-1", false), new IllegalStateException("worker failed"));
        lifecycle.uncaughtException(thread("worker-2", false), new IllegalStateException("second failure"));

        String root = finalRoot();
        assertThat(root).contains("\"exit_code\":0", "\"fault\":true", "worker failed",
                "\"uncaught_exception_thread\":\"worker-1\"");
        assertThat(root).doesNotContain("daemon noise", "second failure");
    }

    @Test
    void whenMainWasNeverSeenTheMainThreadDyingIsMainFailing() {
        lifecycle.uncaughtException(thread("main", false), new IllegalStateException("main failed"));

        String root = finalRoot();
        assertThat(root).contains("\"exit_code\":1", "\"fault\":true", "main failed")
                .doesNotContain("uncaught_exception_thread");
    }

    @Test
    void mainsOwnFailureWinsOverWhatItsThreadReportsAgain() {
        IllegalStateException thrown = new IllegalStateException("main failed");
        lifecycle.mainEnded(thrown);
        // Spring Boot's launcher rethrows it wrapped: the JVM then reports the wrapper on the same thread.
        lifecycle.uncaughtException(Thread.currentThread(), new RuntimeException("wrapper", thrown));

        String root = finalRoot();
        assertThat(root).contains("\"exit_code\":1", "main failed").doesNotContain("uncaught_exception_thread");
    }
}
