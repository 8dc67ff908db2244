package dev.xraybatch.agent.export;

import dev.xraybatch.agent.export.file.JsonLinesFileExporter;
import dev.xraybatch.agent.export.udp.DaemonUdpExporter;
import dev.xraybatch.agent.export.xray.HttpXRayExporter;
import dev.xraybatch.agent.export.xray.XRayApiExporter;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ExporterFactoryTest {
    private static final String TRACE_ID = "1-5f000000-0123456789abcdef01234567";
    private static final Path WORK = Paths.get("/tmp/job-dir");

    private static DocumentExporter create(ExportSettings settings, Map<String, String> env) {
        return ExporterFactory.create(settings, TRACE_ID, env, WORK).orElseThrow();
    }

    @Test
    void autoWithoutAwsWritesTheTraceFileUnderTheWorkingDirectory() {
        DocumentExporter exporter = create(ExportSettings.defaults(), Map.of("HOME", "/root"));

        assertThat(exporter).isInstanceOf(JsonLinesFileExporter.class);
        assertThat(((JsonLinesFileExporter) exporter).file())
                .isEqualTo(Paths.get("/tmp/job-dir/xray-traces/" + TRACE_ID + ".jsonl"));
    }

    @Test
    void autoSendsToXRayWhenTheRunHasAws() {
        for (String variable : new String[] {"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_XRAY",
                "AWS_ENDPOINT_URL", "AWS_BATCH_JOB_ID", "GLUE_VERSION", "ECS_CONTAINER_METADATA_URI_V4",
                "AWS_EXECUTION_ENV"}) {
            assertThat(create(ExportSettings.defaults(), Map.of(variable, "x"))).as(variable)
                    .isInstanceOf(HttpXRayExporter.class);
        }
        assertThat(create(ExportSettings.builder().region("eu-west-1").build(), Map.of()))
                .isInstanceOf(HttpXRayExporter.class);
        assertThat(create(ExportSettings.defaults(), Map.of("AWS_REGION", " ")))
                .isInstanceOf(JsonLinesFileExporter.class);
    }

    @Test
    void explicitChoicesWin() {
        Map<String, String> aws = Map.of("AWS_REGION", "eu-west-1");
        assertThat(create(ExportSettings.builder().exporter(ExporterKind.FILE).file("out/t.jsonl").build(), aws))
                .isInstanceOfSatisfying(JsonLinesFileExporter.class,
                        file -> assertThat(file.file()).isEqualTo(Paths.get("/tmp/job-dir/out/t.jsonl")));
        assertThat(create(ExportSettings.builder().exporter(ExporterKind.XRAY).build(), Map.of()))
                .isInstanceOf(HttpXRayExporter.class);
        assertThat(create(ExportSettings.builder().exporter(ExporterKind.XRAY).xraySdkClient(true).build(), Map.of()))
                .isInstanceOf(XRayApiExporter.class);
        assertThat(create(ExportSettings.builder().xraySdkClient(true).build(), aws))
                .isInstanceOf(XRayApiExporter.class);
        assertThat(ExporterFactory.create(ExportSettings.builder().exporter(ExporterKind.NONE).build(), TRACE_ID,
                aws, WORK)).isEmpty();
    }

    @Test
    void udpTakesTheAddressFromTheSettingsThenTheEnvironmentThenTheDefault() {
        ExportSettings udp = ExportSettings.builder().exporter(ExporterKind.UDP).build();
        Map<String, String> env = Map.of("AWS_XRAY_DAEMON_ADDRESS", "tcp:10.1.1.1:2000 udp:10.1.1.2:2001");

        assertThat(create(udp, Map.of()).describe()).isEqualTo("the X-Ray daemon at udp 127.0.0.1:2000");
        assertThat(create(udp, env).describe()).isEqualTo("the X-Ray daemon at udp 10.1.1.2:2001");
        assertThat(create(udp.toBuilder().daemonAddress("daemon:2100").build(), env).describe())
                .isEqualTo("the X-Ray daemon at udp daemon:2100");
        assertThat(create(udp.toBuilder().daemonAddress("no port").build(), env))
                .isInstanceOf(DaemonUdpExporter.class)
                .extracting(DocumentExporter::describe).isEqualTo("the X-Ray daemon at udp 127.0.0.1:2000");
    }

    @Test
    void exporterKindParsesTheSettingValues() {
        assertThat(ExporterKind.parse(" XRay ")).isEqualTo(ExporterKind.XRAY);
        assertThat(ExporterKind.parse("auto")).isEqualTo(ExporterKind.AUTO);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExporterKind.parse("otlp"))
                .hasMessageContaining("auto, xray, udp, file, none");
    }
}
