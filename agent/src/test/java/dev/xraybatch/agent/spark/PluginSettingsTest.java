package dev.xraybatch.agent.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginSettingsTest {
    @TempDir
    Path workingDirectory;

    private final List<String> problems = new ArrayList<>();

    @Test
    void confsBecomeAgentArgumentsTheAgentReads() {
        Map<String, String> confs = new LinkedHashMap<>();
        confs.put("spark.slow_task_ms", " 250 ");
        confs.put("service_name", "nightly-etl");

        String arguments = PluginSettings.toAgentArguments(confs, noDownload(), problems);

        assertThat(arguments).isEqualTo("service_name=nightly-etl,spark.slow_task_ms=250");
        AgentConfig config = read(arguments);
        assertThat(config.problems()).isEmpty();
        assertThat(config.serviceName()).isEqualTo("nightly-etl");
        assertThat(config.get(Settings.SPARK_SLOW_TASK_MS)).isEqualTo(250);
        assertThat(problems).isEmpty();
    }

    @Test
    void unknownKeysAndValuesWithCommasAreReportedByTheirConfNameAndLeftOut() {
        Map<String, String> confs = new LinkedHashMap<>();
        confs.put("slow_task_ms", "5");
        confs.put("service_name", "a,b");
        confs.put("debug", "true");

        String arguments = PluginSettings.toAgentArguments(confs, noDownload(), problems);

        assertThat(arguments).isEqualTo("debug=true");
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).startsWith("spark.xraybatch.service_name:").contains("','");
        assertThat(problems.get(1)).startsWith("spark.xraybatch.slow_task_ms: unknown setting");
    }

    @Test
    void aConfigUrlIsReadFromTheFileShippedToTheWorkingDirectory() throws IOException {
        Path shipped = Files.write(workingDirectory.resolve("xray.yaml"), "service_name: from-file\n".getBytes());

        String arguments = PluginSettings.toAgentArguments(
                Collections.singletonMap("config", "s3://bucket/conf/xray.yaml"), noDownload(), problems);

        assertThat(arguments).isEqualTo("config=" + shipped);
        assertThat(read(arguments).serviceName()).isEqualTo("from-file");
        assertThat(problems).isEmpty();
    }

    @Test
    void aConfigUrlNotShippedIsDownloaded() throws IOException {
        File downloaded = Files.write(workingDirectory.resolve("downloaded.yaml"),
                "service_name: downloaded\n".getBytes()).toFile();
        List<String> asked = new ArrayList<>();
        ConfigLocation location = new ConfigLocation(workingDirectory, url -> {
            asked.add(url);
            return downloaded;
        });

        String arguments = PluginSettings.toAgentArguments(
                Collections.singletonMap("config", "s3://bucket/conf/xray.yaml"), location, problems);

        assertThat(asked).containsExactly("s3://bucket/conf/xray.yaml");
        assertThat(read(arguments).serviceName()).isEqualTo("downloaded");
    }

    @Test
    void aConfigUrlThatCannotBeHadStopsTracingAndSaysHowToShipIt() {
        Map<String, String> confs = new LinkedHashMap<>();
        confs.put("config", "s3://bucket/conf/xray.yaml");
        confs.put("service_name", "job");

        String arguments = PluginSettings.toAgentArguments(confs, noDownload(), problems);

        assertThat(arguments).isNull();
        assertThat(problems).singleElement().asString()
                .startsWith("spark.xraybatch.config=s3://bucket/conf/xray.yaml:")
                .contains("no such bucket")
                .contains("--files s3://bucket/conf/xray.yaml");
    }

    @Test
    void localPathsAndFileUrlsAreUsedAsGiven() {
        assertThat(PluginSettings.toAgentArguments(Collections.singletonMap("config", "/opt/xray.yaml"),
                noDownload(), problems)).isEqualTo("config=/opt/xray.yaml");
        assertThat(PluginSettings.toAgentArguments(Collections.singletonMap("config", "file:///opt/xray.yaml"),
                noDownload(), problems)).isEqualTo("config=/opt/xray.yaml");
        assertThat(problems).isEmpty();
    }

    @Test
    void onGlueTheRootIsNamedAfterTheJobUnlessANameIsConfiguredAnywhere() throws IOException {
        Properties none = new Properties();
        Map<String, String> noEnv = Collections.emptyMap();
        assertThat(PluginSettings.withGlueJobName("debug=true", "nightly", noEnv, none))
                .isEqualTo("debug=true,service_name=nightly");
        assertThat(PluginSettings.withGlueJobName("", "nightly", noEnv, none)).isEqualTo("service_name=nightly");

        assertThat(PluginSettings.withGlueJobName("service_name=mine", "nightly", noEnv, none))
                .isEqualTo("service_name=mine");
        Path file = Files.write(workingDirectory.resolve("named.yaml"), "service_name: from-file\n".getBytes());
        assertThat(PluginSettings.withGlueJobName("config=" + file, "nightly", noEnv, none))
                .isEqualTo("config=" + file);
        assertThat(PluginSettings.withGlueJobName("", "nightly",
                Collections.singletonMap("XRAY_BATCH_SERVICE_NAME", "env-name"), none)).isEmpty();
        assertThat(PluginSettings.withGlueJobName("", "nightly",
                Collections.singletonMap("AWS_XRAY_TRACING_NAME", "env-name"), none)).isEmpty();
        Properties named = new Properties();
        named.setProperty("xraybatch.service_name", "property-name");
        assertThat(PluginSettings.withGlueJobName("", "nightly", noEnv, named)).isEmpty();

        assertThat(PluginSettings.withGlueJobName("", null, noEnv, none)).isEmpty();
        assertThat(PluginSettings.withGlueJobName(null, "nightly", noEnv, none)).isNull();
    }

    @Test
    void noConfsNoArguments() {
        assertThat(PluginSettings.toAgentArguments(Collections.emptyMap(), noDownload(), problems)).isEmpty();
    }

    private ConfigLocation noDownload() {
        return new ConfigLocation(workingDirectory, url -> {
            throw new IOException("no such bucket");
        });
    }

    private static AgentConfig read(String agentArguments) {
        return AgentConfig.read(agentArguments, Collections.emptyMap(), new Properties());
    }
}
