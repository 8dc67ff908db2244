package dev.xraybatch.agenttests.awssdk;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.transfer.s3.S3TransferManager;

/**
 * Work handed to futures and async clients inside methods traced by a pointcut file ({@link AsyncWorkIT#POINTCUTS}):
 * the async S3 client, the Java-based multipart client, {@code S3TransferManager} (Netty, the SDK's own threads),
 * and plain {@code CompletableFuture} stages on the common pool and on an executor of the job's own.
 *
 * <p>{@code main(endpoint)}; prints {@code outcome <name> <what>} lines and {@code job done}.
 */
public final class AsyncWorkJob {
    static final String RUN = System.getProperty("run.id", "local");
    static final String BUCKET = "xray-batch-async-" + RUN;
    static final long PART = 5L * 1024 * 1024;
    static final long LARGE = 4 * PART;

    private AsyncWorkJob() {
    }

    public static void main(String[] args) throws Exception {
        URI endpoint = URI.create(args[0]);
        Path large = Files.createTempFile("xray-batch-async", ".bin");
        try (RandomAccessFile f = new RandomAccessFile(large.toFile(), "rw")) {
            f.setLength(LARGE);
        }
        try (S3AsyncClient plain = client(endpoint, false); S3AsyncClient multipart = client(endpoint, true);
             S3TransferManager transfers = S3TransferManager.builder().s3Client(multipart).build()) {
            plain.createBucket(b -> b.bucket(BUCKET)).join();
            asyncCalls(plain);
            multipartUpload(multipart, large);
            transferUpload(transfers, large);
            transferDownload(transfers, large.resolveSibling(large.getFileName() + ".down"));
            CompletableFuture<PutObjectResponse> unjoined = startsAndReturns(multipart, large);
            futures();
            dependentStages(plain);
            unjoined.join();
            outcome("unjoined", "done");
        } finally {
            Files.deleteIfExists(large);
            Files.deleteIfExists(large.resolveSibling(large.getFileName() + ".down"));
        }
        System.out.println("job done");
    }

    static S3AsyncClient client(URI endpoint, boolean multipart) {
        return S3AsyncClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .forcePathStyle(true)
                // moto_server answers `Expect: 100-continue` with a 100 the Netty client takes for the reply.
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context,
                                                            ExecutionAttributes attributes) {
                        return context.httpRequest().toBuilder().removeHeader("Expect").build();
                    }
                }))
                .multipartEnabled(multipart)
                .multipartConfiguration(c -> c.minimumPartSizeInBytes(PART).thresholdInBytes(PART))
                .build();
    }

    /** Traced: three puts and three gets in flight together, joined. */
    static void asyncCalls(S3AsyncClient s3) {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            calls.add(s3.putObject(b -> b.bucket(BUCKET).key("small-" + n), AsyncRequestBody.fromString("x" + n)));
        }
        CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).join();
        calls.clear();
        for (int i = 0; i < 3; i++) {
            int n = i;
            calls.add(s3.getObject(b -> b.bucket(BUCKET).key("small-" + n), AsyncResponseTransformer.toBytes()));
        }
        CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).join();
        outcome("async-calls", calls.size() + " gets");
    }

    /** Traced: a 20 MB upload in 5 MB parts through the Java-based multipart client, joined. */
    static void multipartUpload(S3AsyncClient multipart, Path file) {
        multipart.putObject(b -> b.bucket(BUCKET).key("multipart"), AsyncRequestBody.fromFile(file)).join();
        outcome("multipart", "uploaded");
    }

    /** Traced: the same through {@code S3TransferManager.uploadFile}. */
    static void transferUpload(S3TransferManager transfers, Path file) {
        transfers.uploadFile(u -> u.source(file).putObjectRequest(p -> p.bucket(BUCKET).key("transfer")))
                .completionFuture().join();
        outcome("transfer-upload", "uploaded");
    }

    /** Traced: {@code downloadFile} of the object uploaded in parts. */
    static void transferDownload(S3TransferManager transfers, Path target) throws IOException {
        Files.deleteIfExists(target);
        transfers.downloadFile(d -> d.destination(target).getObjectRequest(g -> g.bucket(BUCKET).key("transfer")))
                .completionFuture().join();
        outcome("transfer-download", Files.size(target) + " bytes");
    }

    /** Traced: starts an upload in parts and returns without waiting for it. */
    static CompletableFuture<PutObjectResponse> startsAndReturns(S3AsyncClient multipart, Path file) {
        return multipart.putObject(b -> b.bucket(BUCKET).key("unjoined"), AsyncRequestBody.fromFile(file));
    }

    /** Traced: async stages on the common pool and on the job's own executor, each running a traced step. */
    static void futures() {
        ExecutorService own = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<String> supplied = CompletableFuture.supplyAsync(() -> step("common-supply"));
            CompletableFuture<String> applied = supplied.thenApplyAsync(s -> step("common-apply"));
            CompletableFuture<Void> ran = CompletableFuture.runAsync(() -> step("common-run"));
            CompletableFuture<String> suppliedOwn = CompletableFuture.supplyAsync(() -> step("own-supply"), own);
            CompletableFuture<String> appliedOwn = suppliedOwn.thenApplyAsync(s -> step("own-apply"), own);
            CompletableFuture<Void> ranOwn = CompletableFuture.runAsync(() -> step("own-run"), own);
            CompletableFuture.allOf(applied, ran, appliedOwn, ranOwn).join();
            outcome("futures", "6 steps");
        } finally {
            own.shutdown();
        }
    }

    /** Traced: stages attached to SDK futures, one run where the SDK completes the future, one on the pool. */
    static void dependentStages(S3AsyncClient s3) {
        s3.getObject(b -> b.bucket(BUCKET).key("small-0"), AsyncResponseTransformer.toBytes())
                .thenApply(r -> step("after-get")).join();
        s3.getObject(b -> b.bucket(BUCKET).key("small-1"), AsyncResponseTransformer.toBytes())
                .thenApplyAsync(r -> step("after-get-async")).join();
    }

    /** Traced, named by its argument. */
    static String step(String label) {
        return label;
    }

    static void outcome(String name, String what) {
        System.out.println("outcome " + name + " " + what);
    }
}
