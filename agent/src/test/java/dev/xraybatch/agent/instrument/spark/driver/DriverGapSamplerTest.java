package dev.xraybatch.agent.instrument.spark.driver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DriverGapSamplerTest {
    private static final String SPARK = String.join(".", "org", "apache", "spark");

    private static StackTraceElement frame(String className, String method, String file, int line) {
        return new StackTraceElement(className, method, file, line);
    }

    @Test
    void aSampleInsideSparkNamesTheJobsLineAndTheSparkMethodItCalled() {
        StackTraceElement[] stack = {
                frame("org.sparkproject.guava.util.concurrent.AtomicLongMap", "addAndGet", "AtomicLongMap.java", 108),
                frame(SPARK + ".sql.catalyst.rules.RuleExecutor", "execute", "RuleExecutor.scala", 200),
                frame(SPARK + ".sql.SparkSession", "range", "SparkSession.scala", 500),
                frame("com.example.Etl", "main", "Etl.java", 68),
        };

        assertThat(DriverGapSampler.place(stack)).isEqualTo("com.example.Etl.main(Etl.java:68) in SparkSession.range");
    }

    @Test
    void aSampleInTheJobsOwnCodeNamesItsInnermostFrameOutsideTheJdk() {
        StackTraceElement[] stack = {
                frame("java.util.HashMap", "put", "HashMap.java", 600),
                frame("com.example.Etl", "parseLine", "Etl.java", 120),
                frame("com.example.Etl", "main", "Etl.java", 70),
        };

        assertThat(DriverGapSampler.place(stack)).isEqualTo("com.example.Etl.parseLine(Etl.java:120)");
    }

    @Test
    void aThreadWithNoJobFrameNamesItsTopFrame() {
        StackTraceElement[] stack = {
                frame("java.lang.Object", "wait", null, -2),
                frame("java.lang.Thread", "run", "Thread.java", 840),
        };

        assertThat(DriverGapSampler.place(stack)).isEqualTo("java.lang.Object.wait(unknown)");
    }

    @Test
    void aPythonGapsSampleIsPythonsOwnTimeOrTheSparkCallPythonWaitsOn() {
        StackTraceElement[] waiting = {
                frame("java.net.SocketInputStream", "read", "SocketInputStream.java", 1),
                frame("py4j.ClientServerConnection", "readCommand", "ClientServerConnection.java", 1),
                frame("py4j.ClientServerConnection", "run", "ClientServerConnection.java", 1),
        };
        StackTraceElement[] calling = {
                frame(SPARK + ".sql.catalyst.ScalaReflection$", "schemaFor", "ScalaReflection.scala", 1),
                frame(SPARK + ".sql.SparkSession", "range", "SparkSession.scala", 1),
                frame("py4j.commands.CallCommand", "execute", "CallCommand.java", 1),
                frame("py4j.ClientServerConnection", "run", "ClientServerConnection.java", 1),
        };
        assertThat(DriverGapSampler.pythonPlace(waiting)).isEqualTo(DriverGapSampler.IN_PYTHON);
        assertThat(DriverGapSampler.pythonPlace(calling)).isEqualTo("SparkSession.range");
    }

    @Test
    void aPythonGapSplitsIntoRunsOfAtLeastTheMinimumThatStillCoverIt() {
        DriverGapSampler.Run python = run(true, 0, 10);
        DriverGapSampler.Run blip = run(false, 400_000, 1);     // 50 ms in a JVM call: joins a neighbour
        DriverGapSampler.Run jvm = run(false, 450_000, 12);
        DriverGapSampler.Run pythonAgain = run(true, 1_200_000, 6);
        java.util.List<DriverGapSampler.Run> runs = DriverGapSampler.runsOfAtLeast(
                java.util.List.of(python, blip, jvm, pythonAgain), 0, 1_500_000, 100_000);

        assertThat(runs).extracting(r -> r.inPython).containsExactly(true, false, true);
        assertThat(runs.get(0).startMicros).isZero();
        assertThat(runs.get(2).endMicros).isEqualTo(1_500_000);
        for (int i = 0; i + 1 < runs.size(); i++) {
            assertThat(runs.get(i).endMicros).isEqualTo(runs.get(i + 1).startMicros);
        }
    }

    @Test
    void runsShorterThanTheMinimumBecomeOneRunOfTheKindMostSamplesHad() {
        java.util.List<DriverGapSampler.Run> runs = DriverGapSampler.runsOfAtLeast(java.util.List.of(
                run(true, 0, 1), run(false, 50_000, 3), run(true, 200_000, 1)), 0, 250_000, 1_000_000);
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).inPython).isFalse();
        assertThat(runs.get(0).endMicros - runs.get(0).startMicros).isEqualTo(250_000);
    }

    private static DriverGapSampler.Run run(boolean inPython, long start, int samples) {
        DriverGapSampler.Run r = new DriverGapSampler.Run(inPython, start);
        r.samples = samples;
        return r;
    }
}
