package dev.xraybatch.agenttests.longjobs;

import dev.xraybatch.agenttests.core.jobs.Spans;

import java.net.URI;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * A job that works steadily for {@code seconds}: batch after batch, each a subsegment holding three S3 calls to
 * moto_server and twenty "parse" steps. It prints {@code batch <n> at <ms>} for every batch, as it starts, so that a
 * test can tell how far it got (and kill it at a known moment), then {@code LongRunningJob done}.
 *
 * <p>{@code main(seconds, s3 endpoint, bucket)}.
 */
public final class LongRunningJob {
    private LongRunningJob() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(args[0]);
        URI endpoint = URI.create(args[1]);
        String bucket = args[2];
        try (S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClient(UrlConnectionHttpClient.builder().build())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build()) {
            s3.createBucket(b -> b.bucket(bucket));
            long began = System.nanoTime();
            long end = began + seconds * 1_000_000_000L;
            for (int batch = 0; System.nanoTime() < end; batch++) {
                final int n = batch;
                System.out.println("batch " + n + " at " + (System.nanoTime() - began) / 1_000_000);
                System.out.flush();
                Spans.run("batch " + n, () -> {
                    String key = "batch-" + n;
                    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("records of batch " + n));
                    s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
                    s3.headObject(b -> b.bucket(bucket).key(key));
                    for (int p = 0; p < 20; p++) {
                        Spans.run("parse", () -> {
                            long until = System.nanoTime() + 200_000;
                            while (System.nanoTime() < until) {
                                Thread.onSpinWait();
                            }
                        });
                    }
                });
                Thread.sleep(60);
            }
        }
        System.out.println("LongRunningJob done");
    }
}
