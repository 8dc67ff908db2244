package dev.xraybatch.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private final Properties props = new Properties();

    private String file(String yaml) throws IOException {
        Path file = dir.resolve("xray-batch.yaml");
        Files.write(file, yaml.getBytes(StandardCharsets.UTF_8));
        return file.toString();
    }

    @Test
    void defaultsWhenNothingIsGiven() {
        AgentConfig config = AgentConfig.read(null, env, props);

        assertThat(config.tracingEnabled()).isTrue();
        assertThat(config.problems()).isEmpty();
        assertThat(config.exporter()).isEqualTo("auto");
        assertThat(config.queueSize()).isEqualTo(8192);
        assertThat(config.flushIdleMs()).isEqualTo(1000);
        assertThat(config.shutdownDeadlineMs()).isEqualTo(5000);
        assertThat(config.contextPropagation()).isTrue();
        assertThat(config.debug()).isFalse();
        assertThat(config.serviceName()).isNull();
        assertThat(config.pointcuts()).isEmpty();
        assertThat(config.sourceOf(Settings.QUEUE_SIZE)).isEqualTo("default");
    }

    @Test
    void agentArgumentsBeatSystemPropertiesBeatEnvironmentBeatFileBeatDefault() throws IOException {
        String path = file("queue_size: 10\nflush_idle_ms: 20\nshutdown_deadline_ms: 30\nregion: eu-west-1\n");
        env.put("XRAY_BATCH_CONFIG", path);
        env.put("XRAY_BATCH_QUEUE_SIZE", "11");
        env.put("XRAY_BATCH_FLUSH_IDLE_MS", "21");
        props.setProperty("xraybatch.queue_size", "12");

        AgentConfig config = AgentConfig.read("queue_size=13", env, props);

        assertThat(config.problems()).isEmpty();
        assertThat(config.queueSize()).isEqualTo(13);
        assertThat(config.sourceOf(Settings.QUEUE_SIZE)).isEqualTo("agent argument queue_size");
        assertThat(config.flushIdleMs()).isEqualTo(21);
        assertThat(config.sourceOf(Settings.FLUSH_IDLE_MS)).isEqualTo("environment variable XRAY_BATCH_FLUSH_IDLE_MS");
        assertThat(config.shutdownDeadlineMs()).isEqualTo(30);
        assertThat(config.sourceOf(Settings.SHUTDOWN_DEADLINE_MS)).isEqualTo(path);
        assertThat(config.region()).isEqualTo("eu-west-1");
        assertThat(config.configFile()).isEqualTo(path);
    }

    @Test
    void everyCoreSettingIsReadFromTheFile() throws IOException {
        String path = file(String.join("\n",
                "service_name: nightly-etl",
                "exporter: XRAY",
                "endpoint: http://127.0.0.1:4566",
                "region: us-east-2",
                "daemon_address: 10.0.0.1:2000",
                "trace_file: /tmp/t.jsonl",
                "queue_size: 100",
                "flush_idle_ms: 50",
                "shutdown_deadline_ms: 0",
                "trace_header: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
                "debug: true",
                "context_propagation: false",
                ""));

        AgentConfig config = AgentConfig.read("config=" + path, env, props);

        assertThat(config.problems()).isEmpty();
        assertThat(config.serviceName()).isEqualTo("nightly-etl");
        assertThat(config.exporter()).isEqualTo("xray");
        assertThat(config.endpoint()).isEqualTo("http://127.0.0.1:4566");
        assertThat(config.region()).isEqualTo("us-east-2");
        assertThat(config.daemonAddress()).isEqualTo("10.0.0.1:2000");
        assertThat(config.traceFile()).isEqualTo("/tmp/t.jsonl");
        assertThat(config.queueSize()).isEqualTo(100);
        assertThat(config.flushIdleMs()).isEqualTo(50);
        assertThat(config.shutdownDeadlineMs()).isZero();
        assertThat(config.traceHeader()).startsWith("Root=1-5759e988").endsWith("Sampled=1");
        assertThat(config.debug()).isTrue();
        assertThat(config.contextPropagation()).isFalse();
    }

    @Test
    void agentArgumentValuesMayContainEqualsSigns() {
        AgentConfig config = AgentConfig.read("trace_header=Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1,"
                + "exporter=file", env, props);

        assertThat(config.problems()).isEmpty();
        assertThat(config.traceHeader()).isEqualTo("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
        assertThat(config.exporter()).isEqualTo("file");
    }

    @Test
    void aBadValueOutsideTheFileIsReportedAndTheNextSourceApplies() throws IOException {
        String path = file("queue_size: 64\n");
        props.setProperty("xraybatch.queue_size", "lots");
        env.put("XRAY_BATCH_EXPORTER", "kafka");

        AgentConfig config = AgentConfig.read("config=" + path + ",queue_size=0,debug=maybe", env, props);

        assertThat(config.problems()).containsExactly(
                "environment variable XRAY_BATCH_EXPORTER: 'kafka' is not a known value; use one of auto, xray, udp, file, none",
                "agent argument queue_size: 0 is too small; use at least 1",
                "system property xraybatch.queue_size: 'lots' is not a whole number; write e.g. queue_size: 8192",
                "agent argument debug: 'maybe' is not true or false; write true or false");
        assertThat(config.queueSize()).isEqualTo(64);
        assertThat(config.exporter()).isEqualTo("auto");
        assertThat(config.tracingEnabled()).isTrue();
    }

    @Test
    void aQueueSizePastItsMaximumIsReportedWithItsLineAndTheDefaultApplies() throws IOException {
        String path = file("queue_size: 100000000\n");

        AgentConfig config = AgentConfig.read("config=" + path, env, props);

        assertThat(config.problems()).containsExactly(
                path + ":1:13 queue_size: 100000000 is too large; use at most 1000000");
        assertThat(config.queueSize()).isEqualTo(8192);
    }

    @Test
    void theLargestQueueSizeIsTheOneExportAccepts() {
        assertThat(Settings.MAX_QUEUE_SIZE).isEqualTo(dev.xraybatch.agent.export.ExportSettings.MAX_QUEUE_CAPACITY);
    }

    @Test
    void unknownKeysOutsideTheFileAreReported() {
        props.setProperty("xraybatch.queue_sise", "5");
        env.put("XRAY_BATCH_NOPE", "1");

        AgentConfig config = AgentConfig.read("regoin=eu-west-1,justtext", env, props);

        assertThat(config.problems()).containsExactlyInAnyOrder(
                "agent argument 'regoin': unknown setting; did you mean 'region'?",
                "agent argument 'justtext': expected key=value, e.g. -javaagent:xray-batch-agent.jar=config=/opt/xray-batch.yaml",
                "system property xraybatch.queue_sise: unknown setting; did you mean 'xraybatch.queue_size'?",
                "environment variable XRAY_BATCH_NOPE: unknown setting; known settings are named XRAY_BATCH_<KEY> (see docs/configuration.md)");
    }

    @Test
    void everySourceSuggestsTheClosestSettingAlsoByTheLastPartOfADottedKey() throws IOException {
        props.setProperty("xraybatch.spark.enabld", "false");
        env.put("XRAY_BATCH_EXPORTR", "file");
        env.put("XRAY_BATCH_WINDOW_S", "60");
        String path = file("windw_s: 60\nspark:\n  slow_task: 5\n");

        AgentConfig config = AgentConfig.read("windw_s=60,config=" + path, env, props);

        assertThat(config.problems()).containsExactlyInAnyOrder(
                "agent argument 'windw_s': unknown setting; did you mean 'long_jobs.window_s'?",
                "system property xraybatch.spark.enabld: unknown setting; did you mean 'xraybatch.spark.enabled'?",
                "environment variable XRAY_BATCH_EXPORTR: unknown setting; did you mean 'XRAY_BATCH_EXPORTER'?",
                "environment variable XRAY_BATCH_WINDOW_S: unknown setting; did you mean 'XRAY_BATCH_LONG_JOBS_WINDOW_S'?",
                path + ":1:1 windw_s: unknown key; did you mean 'long_jobs.window_s'?",
                path + ":3:3 spark.slow_task: unknown key; did you mean 'spark.slow_task_ms'?");
    }

    @Test
    void badValuesInTheFileArePointedAtByLineAndColumn() throws IOException {
        String path = file("service_name: job\nqueue_size: many\nexporter: [xray]\nregoin: x\nconfig: other.yaml\n"
                + "queue_size: 5\n");

        AgentConfig config = AgentConfig.read("config=" + path, env, props);

        assertThat(config.problems()).containsExactly(
                path + ":2:13 queue_size: 'many' is not a whole number; write e.g. queue_size: 8192",
                path + ":3:11 exporter: expected one of auto, xray, udp, file, none but found a list; write exporter: <value>",
                path + ":4:1 regoin: unknown key; did you mean 'region'?",
                path + ":5:1 config: cannot be set inside the file it names; give it as agent argument config=..., -Dxraybatch.config or XRAY_BATCH_CONFIG",
                path + ":6:1 queue_size: appears twice; keep one");
        assertThat(config.tracingEnabled()).isTrue();
        assertThat(config.serviceName()).isEqualTo("job");
        assertThat(config.queueSize()).isEqualTo(8192);
    }

    @Test
    void aMissingFileIsOneErrorAndTheJobIsTracedAsWithNoConfig() {
        String path = dir.resolve("absent.yaml").toString();
        env.put("XRAY_BATCH_SERVICE_NAME", "nightly");

        AgentConfig config = AgentConfig.read("config=" + path, env, props);

        assertThat(config.tracingEnabled()).isTrue();
        assertThat(config.configFileUsable()).isFalse();
        assertThat(config.serviceName()).isEqualTo("nightly");
        assertThat(config.pointcuts()).isEmpty();
        assertThat(config.problems()).containsExactly(path + ": the config file does not exist; the job is traced "
                + "as with no config file. Check the path given as config=, -Dxraybatch.config or XRAY_BATCH_CONFIG");
    }

    @Test
    void aMissingFileNamesTheFileOfACloseNameInItsFolder() throws IOException {
        Files.write(dir.resolve("xray-batch.yaml"), "service_name: job\n".getBytes(StandardCharsets.UTF_8));
        String typo = dir.resolve("xray-batch.yml").toString();

        AgentConfig config = AgentConfig.read("config=" + typo, env, props);

        assertThat(config.problems()).singleElement().asString().startsWith(typo + ": the config file does not "
                + "exist; the job is traced as with no config file.")
                .endsWith(" (did you mean " + dir.resolve("xray-batch.yaml") + "?)");
    }

    @Test
    void aDirectoryOrATooLargeFileIsNotReadAndTheJobIsTracedAsWithNoConfig() throws IOException {
        AgentConfig folder = AgentConfig.read("config=" + dir, env, props);
        assertThat(folder.tracingEnabled()).isTrue();
        assertThat(folder.problems()).singleElement().asString()
                .startsWith(dir + ": is a directory, not a file; it is not read and the job is traced as with no "
                        + "config file");

        StringBuilder big = new StringBuilder("service_name: ");
        while (big.length() <= ConfigFile.MAX_BYTES) {
            big.append("abcdefgh");
        }
        String path = file(big + "\n");
        AgentConfig tooLarge = AgentConfig.read("config=" + path, env, props);
        assertThat(tooLarge.tracingEnabled()).isTrue();
        assertThat(tooLarge.serviceName()).isNull();
        assertThat(tooLarge.problems()).singleElement().asString()
                .startsWith(path + ": is " + (big.length() + 1) + " bytes, over the " + ConfigFile.MAX_BYTES
                        + " a config file may have; it is not read");
    }

    @Test
    void aFifoIsNotOpenedWhichWouldBlockUntilSomethingWritesToIt() throws Exception {
        Path fifo = dir.resolve("fifo.yaml");
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo");

        AgentConfig config = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> AgentConfig.read("config=" + fifo, env, props));

        assertThat(config.tracingEnabled()).isTrue();
        assertThat(config.problems()).singleElement().asString()
                .startsWith(fifo + ": is not a regular file (a FIFO, socket or device); it is not read");
    }

    @Test
    void aFileAtTheSizeLimitIsRead() throws IOException {
        StringBuilder name = new StringBuilder("service_name: ");
        while (name.length() < ConfigFile.MAX_BYTES - 1) {
            name.append('a');
        }
        AgentConfig config = AgentConfig.read("config=" + file(name + "\n"), env, props);
        assertThat(config.problems()).isEmpty();
        assertThat(config.serviceName()).hasSize(ConfigFile.MAX_BYTES - 1 - "service_name: ".length());
    }

    @Test
    void deepNestingAndAliasBombsAreParseErrorsNotWork() throws IOException {
        StringBuilder deep = new StringBuilder("service_name: job\nx: ");
        for (int i = 0; i < 1000; i++) {
            deep.append('[');
        }
        AgentConfig nested = AgentConfig.read("config=" + file(deep + "\n"), env, props);
        assertThat(nested.tracingEnabled()).isTrue();
        assertThat(nested.configFileUsable()).isFalse();
        assertThat(nested.serviceName()).isNull();
        assertThat(nested.problems()).singleElement().asString().contains("Nesting Depth exceeded");

        StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 30; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            bomb.append("]\n");
        }
        AgentConfig aliases = AgentConfig.read("config=" + file(bomb.toString()), env, props);
        assertThat(aliases.configFileUsable()).isFalse();
        assertThat(aliases.problems()).singleElement().asString().contains("Number of aliases for non-scalar nodes");
    }

    @Test
    void yamlThatDoesNotParseIsOneErrorWithItsPosition() throws IOException {
        String path = file("service_name: job\npointcuts:\n  - classes: [a.b\n");

        AgentConfig config = AgentConfig.read(null, Map.of("XRAY_BATCH_CONFIG", path), props);

        assertThat(config.tracingEnabled()).isTrue();
        assertThat(config.configFileUsable()).isFalse();
        assertThat(config.serviceName()).isNull();
        assertThat(config.problems()).hasSize(1);
        assertThat(config.problems().get(0)).startsWith(path + ":4:1: the YAML does not parse: ")
                .endsWith("; the job is traced as with no config file until it is fixed");
    }

    @Test
    void aFileThatIsNotAMappingIsOneErrorAndTheJobIsTracedAsWithNoConfig() throws IOException {
        String path = file("- just\n- a list\n");

        AgentConfig config = AgentConfig.read("config=" + path, env, props);

        assertThat(config.tracingEnabled()).isTrue();
        assertThat(config.configFileUsable()).isFalse();
        assertThat(config.problems()).containsExactly(path + ":1:1 (top level): the file must be a mapping of "
                + "settings (key: value lines) with an optional 'pointcuts' list; the job is traced as with no "
                + "config file until it is fixed");
    }

    @Test
    void anEmptyFileMeansDefaults() throws IOException {
        AgentConfig config = AgentConfig.read("config=" + file(""), env, props);

        assertThat(config.tracingEnabled()).isTrue();
        assertThat(config.problems()).isEmpty();
        assertThat(config.queueSize()).isEqualTo(8192);
    }

    @Test
    void loadNeverThrowsAndReportsProblems() {
        AgentConfig config = AgentConfig.load("config=/definitely/not/here.yaml", env, props);

        assertThat(config.tracingEnabled()).isTrue();
        assertThat(config.problems()).hasSize(1);
    }
}
