package dev.xraybatch.agenttests.pyspark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PySpark ITs' own jobs, under {@code src/test/python}, and the actions they say they run. Launching them is
 * test-support's {@link dev.xraybatch.testsupport.PySpark}.
 */
final class TestJobs {
    private static final Pattern EXPECT = Pattern.compile("#\\s*expect:\\s*(.+?)\\s*$");

    private TestJobs() {
    }

    /** A test job under {@code src/test/python}. */
    static Path job(String fileName) {
        Path job = Paths.get("src", "test", "python", fileName).toAbsolutePath();
        if (!Files.isRegularFile(job)) {
            throw new IllegalStateException("No test job " + job);
        }
        return job;
    }

    /**
     * This module's test classes, for a driver's class path: the stand-in for Glue's JVM sink
     * ({@code com.amazonaws.services.glue.StandInHadoopSink}) that the test jobs' stand-in awsglue calls.
     */
    static String glueStandInClasses() {
        return Paths.get("target", "test-classes").toAbsolutePath().toString();
    }

    /**
     * The actions a test job says it runs, from its {@code # expect: <name>} markers, in order: {@code
     * "count at job.py:12"}, or the marker's text alone when it has spaces (a job description the job set).
     */
    static List<String> expectedActions(Path job) {
        List<String> expected = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(job, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                Matcher marker = EXPECT.matcher(lines.get(i));
                if (marker.find()) {
                    String name = marker.group(1);
                    expected.add(name.contains(" ") ? name : name + " at " + job.getFileName() + ":" + (i + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return expected;
    }
}
