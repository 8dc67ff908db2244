package dev.xraybatch.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command, {@code scripts/demo}, exactly as written, in a fresh clone of this repository's
 * committed state (with {@code ../shared} beside it, as in the working tree): it builds, runs the JSON-to-Avro
 * job with the agent against moto_server and prints the trace's waterfall.
 */
class DemoScriptIT {
    /** A build from scratch of three modules, on a busy two-core machine, takes a few minutes. */
    private static final long TIMEOUT_MINUTES = 20;

    @TempDir
    Path workspace;

    @Test
    void scriptsDemoFromAFreshCloneShowsTheJobsWaterfall() throws Exception {
        Path clone = workspace.resolve("main");
        run(workspace, "git", "clone", "--quiet", SampleRuns.REPOSITORY.toString(), clone.toString());
        Path shared = SampleRuns.REPOSITORY.resolveSibling("shared");
        Path sharedLink = workspace.resolve("shared");
        if (Files.isDirectory(shared)) {
            Files.createSymbolicLink(sharedLink, shared);
        }

        String output;
        try {
            output = run(clone, "scripts/demo");
        } finally {
            // Removed here, so that the temp directory's clean-up never has to decide about a link leading out.
            Files.deleteIfExists(sharedLink);
        }

        List<String> rows = output.lines().collect(Collectors.toList());
        assertRow(rows, "^json-to-avro\\s+\\+0\\.00 ms\\s");
        assertRow(rows, "^├─ list s3://xray-batch-demo/in/\\s+\\+");
        assertRow(rows, "^│  └─ S3 ListObjectsV2\\s+\\+");
        for (String day : List.of("01", "02", "03")) {
            assertRow(rows, "^├─ convert in/orders-2026-03-" + day + "\\.json\\s+\\+\\S+ \\S+\\s+\\S+ \\S+\\s+█");
        }
        assertRow(rows, "^[├└]─ convert in/orders-2026-03-04\\.json\\s+.* FAULT ");
        assertRow(rows, "✗ java\\.lang\\.IllegalArgumentException: not valid JSON");
        assertRow(rows, "^└─ JVM shut-down\\s+\\+");
        // Every file is read, three are written (the broken one is not), and the JVM's shut-down ends the root.
        assertThat(rows.stream().filter(r -> r.matches("^│  [├└]─ S3 GetObject\\s.*"))).hasSize(4);
        assertThat(rows.stream().filter(r -> r.matches("^│  [├└]─ S3 PutObject\\s.*"))).hasSize(3);
        assertThat(output).contains("[xray-batch-agent] trace 1-").contains("rejected 0 documents, dropped 0");

        Path html = clone.resolve("sample-jobs/target/demo/trace.html");
        assertThat(output).contains("HTML page:  " + html);
        assertThat(Files.readString(html)).contains("convert in/orders-2026-03-04.json");
        assertThat(output).contains("moto_server on http://127.0.0.1:");
    }

    private static void assertRow(List<String> rows, String regex) {
        Pattern pattern = Pattern.compile(regex);
        assertThat(rows).as("a line matching %s", regex).anyMatch(r -> pattern.matcher(r).find());
    }

    /** Runs a command to its end with stdout and stderr merged; fails with the output unless it exits with 0. */
    private static String run(Path directory, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(directory, "command", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // As a user's shell would be: nothing of this build's or this machine's AWS and JVM settings.
        builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("XRAY_BATCH_")
                || k.equals("JAVA_TOOL_OPTIONS") || k.equals("MAVEN_OPTS") || k.equals("MAVEN_CONFIG"));
        builder.environment().put("NO_COLOR", "1");
        Process process = builder.start();
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + TIMEOUT_MINUTES
                    + " minutes:\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("exit code of %s; output:%n%s", String.join(" ", command), output)
                .isZero();
        return output;
    }
}
