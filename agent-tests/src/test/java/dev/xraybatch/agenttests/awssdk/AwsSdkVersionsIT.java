package dev.xraybatch.agenttests.awssdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.MotoServer;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;

/**
 * The oldest and newest supported SDK v2 and v1 versions: the same jobs, on a class path of the test classes and
 * that version's closure only (laid out by agent-tests/pom.xml in {@code aws.sdk.dir}), give the same trace shape
 * as the version the other ITs compile against.
 */
class AwsSdkVersionsIT {
    static MotoServer moto;

    @BeforeAll
    static void startMoto() throws Exception {
        moto = MotoServer.shared();
    }

    /** {@code v2-2.20.0}, ...: the folders under {@code aws.sdk.dir} the pom names in {@code aws.sdk.versions}. */
    static Stream<String> versions() {
        String versions = System.getProperty("aws.sdk.versions");
        assertThat(versions).as("aws.sdk.versions (set by agent-tests/pom.xml)").isNotBlank();
        return Arrays.stream(versions.split(","));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void theOldestAndNewestVersionsAreTracedAlike(String version) throws IOException {
        boolean v2 = version.startsWith("v2-");
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start()) {
            ChildJvm.Result result = AwsTraces.job(v2 ? SdkV2Job.class : SdkV1Job.class, "Sdk-" + version)
                    .classPath(classPath(version)).xray(endpoint)
                    .systemProperty("run.id", UUID.randomUUID().toString().substring(0, 8))
                    .args(v2 ? "s3-dynamodb" : "services", moto.endpoint().toString())
                    .run(AwsTraces.RUN_TIMEOUT);
            result.assertExitCode(0);
            assertThat(result.stdout()).contains("sdk-version " + version.substring(3) + "\n").contains("job done");
            if (v2) {
                AwsSdkV2IT.assertS3AndDynamoDbCalls(AwsTraces.finishedTrace(endpoint), result);
            } else {
                AwsSdkV1IT.assertServicesTrace(AwsTraces.finishedTrace(endpoint), result);
            }
            endpoint.assertNoViolations();
        }
    }

    /**
     * A client that already carries the X-Ray SDK's own interceptor is left to it: no call of it recorded twice (nor
     * once by the agent), while a plain client beside it is traced as usual.
     */
    @Test
    void aClientTracedByTheXRaySdkIsLeftToIt() throws IOException {
        try (LocalXRayEndpoint endpoint = LocalXRayEndpoint.start()) {
            ChildJvm.Result result = AwsTraces.job(SdkV2Job.class, "SdkV2Job-xray-sdk")
                    .classPath(classPath(System.getProperty("aws.sdk.xray.dir"))).xray(endpoint)
                    // No X-Ray SDK segment is open in the job: the X-Ray SDK's interceptor then records nothing.
                    .env("AWS_XRAY_CONTEXT_MISSING", "IGNORE_ERROR")
                    .systemProperty("run.id", UUID.randomUUID().toString().substring(0, 8))
                    .args("xray-sdk", moto.endpoint().toString()).run(AwsTraces.RUN_TIMEOUT);
            result.assertExitCode(0);
            assertThat(result.stdout()).contains("outcome xray-sdk-get x").contains("outcome plain-head 1 bytes");
            Trace trace = AwsTraces.finishedTrace(endpoint);
            TraceNode work = trace.root().child("xray-sdk-clients");
            assertThat(work.children()).as(trace.render()).hasSize(1);
            AwsTraces.call(work, "S3", "HeadObject");
            endpoint.assertNoViolations();
        }
    }

    /** This module's test classes and the version's jars: no other SDK, no Spark. */
    private static List<Path> classPath(String version) throws IOException {
        Path dir = Paths.get(System.getProperty("aws.sdk.dir")).resolve(version);
        assertThat(dir).as("the pom lays out every version under test").isDirectory();
        List<Path> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith("test-classes")) {
                entries.add(Paths.get(entry));
            }
        }
        assertThat(entries).as("test-classes on the class path").hasSize(1);
        try (Stream<Path> jars = Files.list(dir)) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(entries::add);
        }
        return entries;
    }
}
