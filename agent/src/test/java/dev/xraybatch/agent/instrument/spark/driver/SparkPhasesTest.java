package dev.xraybatch.agent.instrument.spark.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import dev.xraybatch.agent.export.Emittable;
import dev.xraybatch.agent.trace.Ids;
import dev.xraybatch.agent.trace.Tracer;

class SparkPhasesTest {
    private final List<Emittable> exported = new ArrayList<>();
    private final Tracer tracer = Tracer.start(Ids.newTraceId(System.currentTimeMillis()), "job",
            Tracer.nowMicros() - 5_000_000L, null, "xray-batch-agent", "test", exported::add);
    private final List<Long> explained = new ArrayList<>();
    private final SparkPhases phases = new SparkPhases(tracer, (from, to, by) -> explained.add(to));

    @Test
    void aSessionLookupThatFindsTheSessionRunningLeavesNothing() {
        Object token = phases.enter("getOrCreate");
        phases.exit(token, null);
        tracer.closeRoot(Tracer.nowMicros());

        assertThat(rendered()).doesNotContain(SparkPhases.SESSION_START);
    }

    @Test
    void theFirstSessionStartBeginsWhenSparksClassesBeganLoadingAndSaysSo() {
        long loading = Tracer.nowMicros() - 2_000_000L;
        phases.sparkLoadingStarted(loading);
        Object token = phases.enter("getOrCreate");
        phases.exit(token, null);
        tracer.closeRoot(Tracer.nowMicros());

        String doc = rendered();
        assertThat(doc).contains("\"name\":\"" + SparkPhases.SESSION_START + "\"")
                .contains("\"includes_loading_spark_classes\":true");
        assertThat(explained).as("the idle time the phase now covers").hasSize(1);
        assertThat(explained.get(0)).isGreaterThan(loading);
    }

    @Test
    void onlyASlowAnalysisBecomesASubsegment() throws InterruptedException {
        Object fast = phases.enter("assertAnalyzed");
        phases.exit(fast, null);
        Object slow = phases.enter("assertAnalyzed");
        Object nested = phases.enter("assertAnalyzed");
        phases.exit(nested, null);
        Thread.sleep(SparkPhases.SLOW_ANALYSIS_MICROS / 1000 + 20);
        phases.exit(slow, null);
        tracer.closeRoot(Tracer.nowMicros());

        assertThat(rendered().split("\"name\":\"" + SparkPhases.ANALYSIS + "\"", -1)).hasSize(2);
    }

    @Test
    void aPythonDriverStartCoversTheTimeFromTheJvmsMainToSparksFirstUse() {
        long main = Tracer.nowMicros() - 3_000_000L;
        phases.pythonDriverStarted(main, main + 2_500_000L, main + 300_000L);
        tracer.closeRoot(Tracer.nowMicros());

        assertThat(rendered()).contains("\"name\":\"" + SparkPhases.PYTHON_DRIVER_START + "\"")
                .contains("\"interpreter_started_after_ms\":300");
    }

    @Test
    void aCallThroughPy4jIsFromPython() {
        StackTraceElement[] fromPython = {
                new StackTraceElement("org.apache.spark.SparkContext", "<init>", "SparkContext.scala", 1),
                new StackTraceElement("py4j.commands.ConstructorCommand", "execute", "ConstructorCommand.java", 1),
        };
        StackTraceElement[] fromJava = {
                new StackTraceElement("org.apache.spark.SparkContext", "<init>", "SparkContext.scala", 1),
                new StackTraceElement("com.example.Job", "main", "Job.java", 1),
        };
        assertThat(SparkPhases.calledFromPython(fromPython)).isTrue();
        assertThat(SparkPhases.calledFromPython(fromJava)).isFalse();
        assertThat(SparkPhases.launchesPython(fromJava)).isFalse();
    }

    private String rendered() {
        StringBuilder all = new StringBuilder();
        Consumer<String> sink = all::append;
        for (Emittable e : exported) {
            e.render(sink);
        }
        return all.toString();
    }
}
