package dev.xraybatch.agent.export.xray;

import dev.xraybatch.agent.export.ExportSettings;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent's first stderr line names where documents go: an endpoint other than X-Ray's own must show there. */
class HttpXRayExporterDescriptionTest {
    private static final ExportSettings SETTINGS = ExportSettings.builder().region("eu-west-1").build();

    @Test
    void anEndpointFromTheStandardAwsVariablesIsNamedBeforeTheFirstSend() {
        assertThat(new HttpXRayExporter(SETTINGS, Map.of("AWS_ENDPOINT_URL_XRAY", "http://127.0.0.1:4566"),
                new Properties()).describe()).isEqualTo("the X-Ray API (eu-west-1) at http://127.0.0.1:4566");
        assertThat(new HttpXRayExporter(SETTINGS, Map.of("AWS_ENDPOINT_URL", "http://localstack:4566"),
                new Properties()).describe()).isEqualTo("the X-Ray API (eu-west-1) at http://localstack:4566");
        assertThat(new HttpXRayExporter(SETTINGS.toBuilder().endpoint("http://10.0.0.9:2000").build(),
                Map.of("AWS_ENDPOINT_URL_XRAY", "http://127.0.0.1:4566"), new Properties()).describe())
                .isEqualTo("the X-Ray API (eu-west-1) at http://10.0.0.9:2000");
        assertThat(new HttpXRayExporter(SETTINGS, Map.of(), new Properties()).describe())
                .isEqualTo("the X-Ray API (eu-west-1)");
    }
}
