package dev.xraybatch.agent.instrument.spark;

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
}
