package dev.xraybatch.agenttests.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.MotoServer;
import dev.xraybatch.testsupport.Trace;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * The Glue route when the config file is not shipped with the job: {@code spark.xraybatch.config} names an S3 object
 * that is nowhere on the driver's disk, and the plugin reads it through the Hadoop file system Spark uses, configured
 * from the job's own {@code spark.hadoop.*} settings. Here that is Hadoop's S3A (hadoop-aws, test scope, default Spark
 * line only) against moto_server; on Glue and EMR it is the platform's {@code s3://} file system.
 */
class SparkPluginS3ConfigIT {
    private static final String PLUGIN = "dev.xraybatch.agent.spark.XRaySparkPlugin";
    private static final String BUCKET = "xray-batch-plugin-config";
    private static final String SERVICE_NAME_FROM_S3 = "config-read-from-s3";

    @TempDir
    static Path scratch;

    static LocalXRayEndpoint endpoint;
    static ChildJvm.Result run;

    @BeforeAll
    static void runWithTheConfigOnlyInS3() throws Exception {
        URI moto = MotoServer.shared().endpoint();
        try (S3Client s3 = S3Client.builder().endpointOverride(moto).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build()) {
            s3.createBucket(b -> b.bucket(BUCKET));
            s3.putObject(b -> b.bucket(BUCKET).key("conf/xray.yaml"),
                    RequestBody.fromString("service_name: " + SERVICE_NAME_FROM_S3 + "\n"));
        }
        endpoint = LocalXRayEndpoint.start();
        run = SparkDriverLauncher.sparkDriver(SparkCountJob.class, "spark-plugin-s3-config", scratch, endpoint)
                .withoutAgent()
                .classPath(SparkDriverLauncher.classPathWithAgentJar())
                .systemProperty("spark.plugins", PLUGIN)
                .systemProperty("spark.xraybatch.config", "s3a://" + BUCKET + "/conf/xray.yaml")
                .systemProperty("spark.hadoop.fs.s3a.endpoint", moto.toString())
                .systemProperty("spark.hadoop.fs.s3a.endpoint.region", "us-east-1")
                .systemProperty("spark.hadoop.fs.s3a.path.style.access", "true")
                .systemProperty("spark.hadoop.fs.s3a.connection.ssl.enabled", "false")
                .systemProperty("spark.hadoop.fs.s3a.aws.credentials.provider",
                        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider")
                .systemProperty("spark.hadoop.fs.s3a.access.key", "test")
                .systemProperty("spark.hadoop.fs.s3a.secret.key", "test")
                .args("local[2]")
                .run(Duration.ofMinutes(4));
    }

    @AfterAll
    static void stopEndpoint() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void thePluginReadsItsConfigFromS3ThroughHadoopAndTracesTheJob() {
        run.assertExitCode(0);
        assertThat(run.stdout()).contains("counted 1000");
        assertThat(scratch.resolve("xray.yaml")).as("nothing shipped to the working directory").doesNotExist();
        assertThat(run.stderr()).doesNotContain("could not be read through Hadoop");

        Trace trace = SparkTraces.driverTrace(endpoint);
        assertThat(trace.root().name()).as("the service name from the file in S3").isEqualTo(SERVICE_NAME_FROM_S3);
        assertThat(SparkTraces.actionNames(trace)).containsExactly("count");
        endpoint.assertNoViolations();
    }
}
