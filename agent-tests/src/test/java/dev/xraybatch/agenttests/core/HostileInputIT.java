package dev.xraybatch.agenttests.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xraybatch.agenttests.core.jobs.ReturningJob;
import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the job's environment hands the agent, in a real JVM: a config path naming something that is no small
 * regular file must neither stall nor slow the job's start, and the traces the agent writes to disk are the job
 * user's alone.
 */
class HostileInputIT {
    private static LocalXRayEndpoint xray;

    @TempDir
    Path dir;

    @BeforeAll
    static void startEndpoint() {
        xray = LocalXRayEndpoint.start();
    }

    @AfterAll
    static void stopEndpoint() {
        xray.close();
    }

    @BeforeEach
    void clear() {
        xray.clear();
    }

    @Test
    void aConfigPathNamingAFifoIsReportedAndTheJobRunsTraced() throws Exception {
        Path fifo = dir.resolve("xray-batch.yaml");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();

        // Opening a FIFO to read blocks until a writer comes: nobody will.
        ChildJvm.Result result = ChildJvm.main(ReturningJob.class).xray(xray).agentArgs("config=" + fifo)
                .run(Duration.ofSeconds(90));

        result.assertExitCode(0);
        assertThat(result.stdout()).contains("ReturningJob done");
        assertThat(agentLines(result)).as(result.toString()).anySatisfy(line -> assertThat(line)
                .contains(fifo + ": is not a regular file (a FIFO, socket or device); it is not read and the job is "
                        + "traced as with no config file"));
        assertThat(xray.onlyTrace().root().name()).isEqualTo("ReturningJob");
    }

    @Test
    void aConfigFileWithAnEightMegabyteScalarIsNotParsed() throws IOException {
        Path config = dir.resolve("xray-batch.yaml");
        try (Writer out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            out.write("service_name: ");
            char[] chunk = new char[64 * 1024];
            Arrays.fill(chunk, 'a');
            for (int i = 0; i < 8 * 16; i++) {
                out.write(chunk);
            }
            out.write('\n');
        }

        ChildJvm.Result result = ChildJvm.main(ReturningJob.class).xray(xray).agentArgs("config=" + config)
                .run(Duration.ofSeconds(90));

        result.assertExitCode(0);
        assertThat(agentLines(result)).as(result.toString()).anySatisfy(line -> assertThat(line)
                .contains(config + ": is " + Files.size(config) + " bytes, over the 65536 a config file may have"));
        assertThat(xray.onlyTrace().root().name()).as("traced as with no config").isEqualTo("ReturningJob");
    }

    @Test
    void aTraceFileAndTheFoldersTheAgentMakesForItAreTheUsersAlone() throws IOException {
        Path folder = dir.resolve("traces").resolve("today");
        Path file = folder.resolve("trace.jsonl");

        ChildJvm.main(ReturningJob.class).agentArgs("exporter=file,trace_file=" + file)
                .run(Duration.ofSeconds(90)).assertExitCode(0);

        assertThat(Files.size(file)).isPositive();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.getParent())))
                .isEqualTo("rwx------");
    }

    @Test
    void anExistingTraceFileKeepsItsPermissions() throws IOException {
        Path file = dir.resolve("shared.jsonl");
        Files.createFile(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        ChildJvm.main(ReturningJob.class).agentArgs("exporter=file,trace_file=" + file)
                .run(Duration.ofSeconds(90)).assertExitCode(0);

        assertThat(Files.size(file)).isPositive();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
    }

    private static List<String> agentLines(ChildJvm.Result result) {
        return result.stderr().lines().filter(line -> line.contains("xray-batch")).collect(Collectors.toList());
    }
}
