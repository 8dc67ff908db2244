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
 * A job that works steadily for {@code seconds} (or a fixed number of batches): batch after batch, each a subsegment holding three S3 calls to
 * moto_server and twenty "parse" steps. It prints {@code batch <n> at <ms>} for every batch, as it starts, so that a
 * test can tell how far it got (and kill it at a known moment), then {@code LongRunningJob done}.
 *
 * <p>{@code main(seconds, s3 endpoint, bucket)}; {@code batches=<n>} instead of the seconds runs that many batches.
 */
public final class LongRunningJob {
    private LongRunningJob() {
    }

    public static void main(String[] args) throws Exception {
        // "<seconds>", or "batches=<n>": a fixed amount of work, whatever the machine's load.
        boolean byCount = args[0].startsWith("batches=");
        long seconds = byCount ? Long.MAX_VALUE / 2_000_000_000L : Long.parseLong(args[0]);
        int batches = byCount ? Integer.parseInt(args[0].substring("batches=".length())) : Integer.MAX_VALUE;
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
            for (int batch = 0; batch < batches && System.nanoTime() < end; batch++) {
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
