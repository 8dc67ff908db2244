package dev.xraybatch.agenttests.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xraybatch.agenttests.core.jobs.ReturningJob;
import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mistake in the config file costs only what the file configured, in a real JVM: a config path with a typo or a
 * file that is not valid YAML still leaves the job traced as with no config file, with one line on stderr saying
 * which file and why.
 */
class ConfigMistakesIT {
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
    void aConfigPathWithATypoLeavesTheJobTracedAsWithNoConfig() throws IOException {
        Path config = dir.resolve("xray-batch.yaml");
        Files.write(config, "service_name: nightly\n".getBytes(StandardCharsets.UTF_8));
        Path typo = dir.resolve("xray-batch.yml");

        ChildJvm.Result result = ChildJvm.main(ReturningJob.class).xray(xray).agentArgs("config=" + typo)
                .run(Duration.ofSeconds(90));

        result.assertExitCode(0);
        assertThat(result.stdout()).contains("ReturningJob done");
        assertThat(linesNaming(result, typo.toString())).as(result.toString()).containsExactly("[xray-batch-agent] "
                + typo + ": the config file does not exist; the job is traced as with no config file. Check the "
                + "path given as config=, -Dxraybatch.config or XRAY_BATCH_CONFIG (did you mean " + config + "?)");
        assertThat(xray.onlyTrace().root().name()).as("the job's own name: the file's service_name never applied")
                .isEqualTo("ReturningJob");
    }

    @Test
    void aFileThatIsNotValidYamlLeavesTheJobTracedAsWithNoConfig() throws IOException {
        Path config = dir.resolve("xray-batch.yaml");
        Files.write(config, "service_name: nightly\npointcuts:\n  - classes: [a.b\n".getBytes(StandardCharsets.UTF_8));

        ChildJvm.Result result = ChildJvm.main(ReturningJob.class).xray(xray).agentArgs("config=" + config)
                .run(Duration.ofSeconds(90));

        result.assertExitCode(0);
        List<String> lines = linesNaming(result, config.toString());
        assertThat(lines).as(result.toString()).singleElement().asString()
                .startsWith("[xray-batch-agent] " + config + ":4:1: the YAML does not parse: ")
                .endsWith("; the job is traced as with no config file until it is fixed");
        assertThat(xray.onlyTrace().root().name()).isEqualTo("ReturningJob");
    }

    private static List<String> linesNaming(ChildJvm.Result result, String file) {
        return result.stderr().lines().filter(line -> line.contains(file)).collect(Collectors.toList());
    }
}
