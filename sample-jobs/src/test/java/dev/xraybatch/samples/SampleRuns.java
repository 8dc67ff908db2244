package dev.xraybatch.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.xraybatch.testsupport.ChildJvm;
import dev.xraybatch.testsupport.LocalXRayEndpoint;
import dev.xraybatch.testsupport.Trace;
import dev.xraybatch.testsupport.TraceNode;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** Running a sample job as a user would (its jar, its libraries, its pointcut file) and reading its trace. */
final class SampleRuns {
    static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);
    static final Path REPOSITORY = Paths.get(System.getProperty("repository.dir", "..")).toAbsolutePath().normalize();

    private SampleRuns() {
    }

    /**
     * A child JVM running {@code mainClass} from the packaged {@code sample-jobs.jar} and {@code lib/*}, with the
     * agent and the job's pointcut file, exporting to {@code endpoint} and using moto as S3.
     */
    static ChildJvm packagedJob(String mainClass, String job, LocalXRayEndpoint endpoint, URI moto) {
        Path jar = Paths.get(System.getProperty("sample.jar")).toAbsolutePath();
        return ChildJvm.main(mainClass).name(job)
                .classPath(jar + java.io.File.pathSeparator + jar.resolveSibling("lib").resolve("*"))
                .agentArgs("config=" + pointcutFile(job))
                .xray(endpoint)
                .env("AWS_ENDPOINT_URL_S3", moto.toString());
    }

    static Path pointcutFile(String job) {
        return REPOSITORY.resolve("sample-jobs/src/main/resources").resolve(job).resolve("xray-batch.yaml");
    }

    static Path data(String job) {
        return REPOSITORY.resolve("sample-jobs/data").resolve(job);
    }

    /** The trace of a job that exited: its root segment closed. */
    static Trace finishedTrace(LocalXRayEndpoint endpoint) {
        return endpoint.awaitTrace(t -> !t.root().isInProgress(), Duration.ofSeconds(30));
    }

    /** The AWS SDK call subsegments of one operation directly under {@code parent}. */
    static List<TraceNode> sdkCalls(TraceNode parent, String service, String operation) {
        return parent.children(service).stream()
                .filter(n -> "aws".equals(n.get("namespace").asText()))
                .filter(n -> operation.equals(n.get("aws").path("operation").asText()))
                .collect(Collectors.toList());
    }

    static S3Client s3(URI moto) {
        return S3Client.builder().endpointOverride(moto).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
    }

    /** A new bucket holding the files of {@code directory} that end in {@code suffix}, under {@code prefix}. */
    static String bucketWith(S3Client s3, Path directory, String suffix, String prefix) {
        String bucket = "sample-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(r -> r.bucket(bucket));
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> uploads = files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted()
                    .collect(Collectors.toList());
            assertThat(uploads).as("sample input in %s", directory).isNotEmpty();
            for (Path file : uploads) {
                s3.putObject(r -> r.bucket(bucket).key(prefix + file.getFileName()), RequestBody.fromFile(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bucket;
    }
}
