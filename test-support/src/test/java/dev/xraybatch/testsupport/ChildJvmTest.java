package dev.xraybatch.testsupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class ChildJvmTest {

    private static final Duration GENEROUS = Duration.ofSeconds(60);

    @Test
    void runsAMainWithArgumentsPropertiesAndTheEndpointsEnvironment() throws Exception {
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start()) {
            ChildJvm.Result result = ChildJvm.main(ChildMain.class)
                    .withoutAgent()
                    .xray(endpoint)
                    .env("GREETING", "hello")
                    .systemProperty("child.test.property", "set")
                    .args("env", "a", "b")
                    .run(GENEROUS)
                    .assertExitCode(0);

            Map<String, String> printed = ChildMain.parse(result.stdout());
            assertThat(printed).contains(
                    entry("AWS_REGION", LocalXRayEndpoint.REGION),
                    entry("AWS_ACCESS_KEY_ID", LocalXRayEndpoint.ACCESS_KEY_ID),
                    entry("AWS_SECRET_ACCESS_KEY", LocalXRayEndpoint.SECRET_ACCESS_KEY),
                    entry("AWS_ENDPOINT_URL_XRAY", endpoint.url().toString()),
                    entry("AWS_EC2_METADATA_DISABLED", "true"),
                    entry("GREETING", "hello"),
                    entry("property", "set"),
                    entry("args", "a,b"));
            assertThat(Files.readString(result.stdoutFile())).isEqualTo(result.stdout());
        }
    }

    @Test
    void clearsTheMachinesAwsAndJvmOptionVariables(@TempDir Path outputDir) {
        Map<String, String> environment = new HashMap<>(Map.of(
                "AWS_PROFILE", "prod",
                "AWS_ACCESS_KEY_ID", "AKIAREAL",
                "AWS_XRAY_DAEMON_ADDRESS", "10.0.0.1:2000",
                "_X_AMZN_TRACE_ID", "Root=1-abc",
                "JAVA_TOOL_OPTIONS", "-Xmx1m",
                "PATH", "/usr/bin"));

        ChildJvm.main(ChildMain.class).env("GREETING", "hello").prepareEnvironment(environment, outputDir);

        assertThat(environment).containsOnlyKeys("PATH", "GREETING", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
                "AWS_EC2_METADATA_DISABLED");
        assertThat(Path.of(environment.get("AWS_CONFIG_FILE"))).doesNotExist();
    }

    @Test
    void aWrongExitCodeFailsWithTheOutput() {
        ChildJvm.Result result = ChildJvm.main(ChildMain.class).withoutAgent().args("exit", "3").run(GENEROUS);

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stderr()).contains("exiting with 3");
        assertThatThrownBy(() -> result.assertExitCode(0)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("exited with 3, expected 0")
                .hasMessageContaining("exiting with 3")
                .hasMessageContaining(ChildMain.class.getName());
    }

    @Test
    void sigtermRunsShutdownHooks() throws InterruptedException {
        try (ChildJvm.Running child = ChildJvm.main(ChildMain.class).withoutAgent().args("sleep").start()) {
            awaitOutput(child, "ready");

            child.sendSignal("TERM");
            ChildJvm.Result result = child.waitFor(GENEROUS);

            assertThat(result.exitCode()).isEqualTo(143);
            assertThat(result.stdout()).contains("shutdown hook ran");
        }
    }

    @Test
    void aTimeoutKillsTheChildAndFailsWithItsOutput() throws InterruptedException {
        ChildJvm.Running child = ChildJvm.main(ChildMain.class).withoutAgent().args("sleep").start();
        awaitOutput(child, "ready");

        assertThatThrownBy(() -> child.waitFor(Duration.ofMillis(100))).isInstanceOf(AssertionError.class)
                .hasMessageContaining("did not exit within").hasMessageContaining("ready");
        assertThat(child.isAlive()).isFalse();
    }

    @Test
    void addsTheAgentFromTheSystemProperty(@TempDir Path dir) throws Exception {
        Path jar = Files.createFile(dir.resolve("agent.jar"));
        String previous = System.setProperty(ChildJvm.AGENT_JAR_PROPERTY, jar.toString());
        try {
            List<String> command = ChildJvm.main("com.example.Job").agentArgs("service=test").args("x").command();

            assertThat(command.get(1)).isEqualTo("-javaagent:" + jar + "=service=test");
            assertThat(command.subList(command.size() - 2, command.size())).containsExactly("com.example.Job", "x");
        } finally {
            restore(previous);
        }
    }

    @Test
    void withoutTheAgentPropertyTheCommandFailsClearly() {
        String previous = System.clearProperty(ChildJvm.AGENT_JAR_PROPERTY);
        try {
            assertThatThrownBy(() -> ChildJvm.main("com.example.Job").command())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining(ChildJvm.AGENT_JAR_PROPERTY);
        } finally {
            restore(previous);
        }
    }

    private static void restore(String previousAgentJar) {
        if (previousAgentJar == null) {
            System.clearProperty(ChildJvm.AGENT_JAR_PROPERTY);
        } else {
            System.setProperty(ChildJvm.AGENT_JAR_PROPERTY, previousAgentJar);
        }
    }

    /** Polls the child's output: it says "ready" once its shutdown hook is installed. */
    private static void awaitOutput(ChildJvm.Running child, String text) throws InterruptedException {
        long deadline = System.nanoTime() + GENEROUS.toNanos();
        while (!child.stdout().contains(text)) {
            if (System.nanoTime() > deadline || !child.isAlive()) {
                throw new AssertionError("Child never printed '" + text + "': " + child.stdout() + child.stderr());
            }
            Thread.sleep(20);
        }
    }
}
