package dev.xraybatch.agenttests.awssdk;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.xraybatch.agenttests.core.jobs.Spans;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.core.retry.backoff.BackoffStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * A job using the real AWS SDK v2 against local endpoints, in a child JVM. Only APIs present in the oldest
 * supported SDK v2 are used, so the same class runs against every SDK version under test.
 *
 * <p>{@code main(scenario, endpoint[, n])}; every call's outcome is printed as {@code outcome <name> <what>}, the
 * line the tests compare with and without the agent.
 */
public final class SdkV2Job {
    /** Names unique per run: one moto_server may serve several runs. */
    static final String RUN = System.getProperty("run.id", "local");
    static final String BUCKET = "xray-batch-" + RUN;
    static final String TABLE = "xray-batch-" + RUN;

    private SdkV2Job() {
    }

    public static void main(String[] args) throws Exception {
        // Read at run time: javac would inline the constant of the SDK it compiled against.
        System.out.println("sdk-version "
                + software.amazon.awssdk.core.util.VersionInfo.class.getField("SDK_VERSION").get(null));
        String scenario = args[0];
        URI endpoint = URI.create(args[1]);
        switch (scenario) {
            case "services" -> services(endpoint);
            case "s3-dynamodb" -> s3AndDynamoDb(endpoint);
            case "xray-sdk" -> Spans.run("xray-sdk-clients", () -> withXRaySdkInterceptor(endpoint));
            case "dynamodb-local" -> Spans.run("dynamodb-local", () -> dynamoCalls(endpoint));
            case "async" -> async(endpoint);
            case "errors" -> errors(endpoint);
            case "many" -> many(endpoint, Integer.parseInt(args[2]));
            case "child-loader" -> inChildLoader(args[1], args[2]);
            default -> throw new IllegalArgumentException(scenario);
        }
        System.out.println("job done");
    }

    /**
     * The SDK and this job loaded by a child class loader that the application class loader cannot see into
     * (Spark {@code --jars}, user-class-path-first), then the {@code many} scenario run from there.
     */
    static void inChildLoader(String endpoint, String calls) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.contains("test-classes") || entry.contains("/software/amazon/")
                    || entry.contains("/org/reactivestreams/") || entry.contains("/org/slf4j/")) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        try (URLClassLoader child = new URLClassLoader(urls.toArray(new URL[0]),
                ClassLoader.getPlatformClassLoader())) {
            Class<?> job = Class.forName(SdkV2Job.class.getName(), true, child);
            if (job == SdkV2Job.class) {
                throw new IllegalStateException("the job was not loaded by the child class loader");
            }
            job.getMethod("many", URI.class, int.class).invoke(null, URI.create(endpoint), Integer.parseInt(calls));
            outcome("child-loader", String.valueOf(job.getClassLoader() == child));
        }
    }

    /** S3, DynamoDB and SQS calls inside the job's own subsegment. */
    static void services(URI endpoint) {
        Spans.run("load-data", () -> {
            s3Calls(endpoint);
            dynamoCalls(endpoint);
            SdkV2SqsCalls.run(endpoint);
        });
    }

    /**
     * S3 and DynamoDB calls inside the job's own subsegment: what every SDK version under test runs (the SQS client
     * is not released with every SDK version, so it is in a class of its own that this path never loads).
     */
    static void s3AndDynamoDb(URI endpoint) {
        Spans.run("load-data", () -> {
            s3Calls(endpoint);
            dynamoCalls(endpoint);
        });
    }

    private static void s3Calls(URI endpoint) {
        try (S3Client s3 = s3(endpoint, 2)) {
            s3.createBucket(b -> b.bucket(BUCKET));
            s3.putObject(b -> b.bucket(BUCKET).key("input/part-0001.csv"),
                    RequestBody.fromString("a,b,c\n1,2,3\n"));
            String body = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("input/part-0001.csv")).asUtf8String();
            outcome("s3-get", body.length() + " chars");
            try {
                s3.headObject(b -> b.bucket(BUCKET).key("input/missing.csv"));
                outcome("s3-head-missing", "found?!");
            } catch (Exception e) {
                outcome("s3-head-missing", e.getClass().getSimpleName());
            }
            try (S3Presigner presigner = S3Presigner.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                    .credentialsProvider(credentials())
                    .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build()) {
                outcome("s3-presign", presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                        .getObjectRequest(g -> g.bucket(BUCKET).key("input/part-0001.csv"))).url().getPath());
            }
        }
    }

    private static void dynamoCalls(URI endpoint) {
        try (DynamoDbClient dynamo = dynamo(endpoint)) {
            dynamo.createTable(b -> b.tableName(TABLE)
                    .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                            .attributeType(ScalarAttributeType.S).build())
                    .provisionedThroughput(ProvisionedThroughput.builder().readCapacityUnits(5L)
                            .writeCapacityUnits(5L).build()));
            dynamo.putItem(b -> b.tableName(TABLE).item(Map.of("id", AttributeValue.builder().s("row-1").build())));
            outcome("dynamo-get", dynamo.getItem(b -> b.tableName(TABLE).consistentRead(true)
                    .key(Map.of("id", AttributeValue.builder().s("row-1").build()))).item().get("id").s());
            outcome("dynamo-query", dynamo.query(b -> b.tableName(TABLE).keyConditionExpression("id = :id")
                    .expressionAttributeValues(Map.of(":id", AttributeValue.builder().s("row-1").build())))
                    .count() + " item(s)");
        }
    }

    /**
     * A client the application has the X-Ray SDK trace (its {@code TracingInterceptor}, found by name: only this
     * scenario's class path has it), and a plain one beside it.
     */
    static void withXRaySdkInterceptor(URI endpoint) {
        ExecutionInterceptor xraySdk;
        try {
            xraySdk = (ExecutionInterceptor) Class.forName("com.amazonaws.xray.interceptors.TracingInterceptor")
                    .getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the X-Ray SDK is not on the class path", e);
        }
        try (S3Client tracedByXRaySdk = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.builder().build())
                .overrideConfiguration(o -> o.addExecutionInterceptor(xraySdk))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
             S3Client plain = s3(endpoint, 2)) {
            tracedByXRaySdk.createBucket(b -> b.bucket(BUCKET));
            tracedByXRaySdk.putObject(b -> b.bucket(BUCKET).key("x"), RequestBody.fromString("x"));
            outcome("xray-sdk-get", tracedByXRaySdk.getObjectAsBytes(b -> b.bucket(BUCKET).key("x")).asUtf8String());
            outcome("plain-head", plain.headObject(b -> b.bucket(BUCKET).key("x")).contentLength() + " bytes");
        }
    }

    /** Async calls issued inside the job's subsegment, completed on the SDK's threads. */
    static void async(URI endpoint) throws Exception {
        try (S3Client s3 = s3(endpoint, 2)) {
            s3.createBucket(b -> b.bucket(BUCKET));
        }
        Spans.in("async-work", () -> asyncCalls(endpoint));
    }

    private static Void asyncCalls(URI endpoint) {
        try (S3AsyncClient s3 = S3AsyncClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
             DynamoDbAsyncClient dynamo = DynamoDbAsyncClient.builder().endpointOverride(endpoint)
                     .region(Region.US_EAST_1).credentialsProvider(credentials()).build()) {
            List<CompletableFuture<?>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(s3.listObjects(b -> b.bucket(BUCKET).prefix("async/")));
            }
            calls.add(dynamo.listTables(b -> b.limit(5)));
            CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).join();
            outcome("async", calls.size() + " calls completed");
        }
        return null;
    }

    /** Calls that fail: the tests' error server answers by key; a closed port refuses connections. */
    static void errors(URI endpoint) {
        Spans.run("error-paths", () -> {
            try (S3Client s3 = s3(endpoint, 2)) {
                for (String key : new String[] {"missing", "throttled", "broken"}) {
                    try {
                        s3.getObjectAsBytes(b -> b.bucket("errors").key(key));
                        outcome("error-" + key, "no exception?!");
                    } catch (Exception e) {
                        outcome("error-" + key, describe(e));
                    }
                }
            }
        });
        Spans.run("refused", () -> {
            try (S3Client s3 = s3(URI.create(System.getProperty("refused.endpoint")), 1)) {
                s3.getObjectAsBytes(b -> b.bucket("errors").key("unreachable"));
                outcome("error-refused", "no exception?!");
            } catch (Exception e) {
                outcome("error-refused", e.getClass().getName());
            }
        });
    }

    /**
     * Many small reads under one subsegment, from a pool of threads the way S3A reads a table: all but the first
     * few go into one summary.
     */
    public static void many(URI endpoint, int n) throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (S3Client s3 = s3(endpoint, 2)) {
            Spans.in("read-table", () -> {
                List<Future<Long>> parts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int calls = n / threads + (t < n % threads ? 1 : 0);
                    parts.add(pool.submit(() -> {
                        long bytes = 0;
                        for (int i = 0; i < calls; i++) {
                            bytes += s3.getObjectAsBytes(b -> b.bucket("table").key("ok")).asByteArray().length;
                        }
                        return bytes;
                    }));
                }
                long bytes = 0;
                for (Future<Long> part : parts) {
                    bytes += part.get();
                }
                outcome("many", n + " calls, " + bytes + " bytes");
                return null;
            });
        } finally {
            pool.shutdown();
        }
    }

    static String describe(Exception e) {
        String status = e instanceof software.amazon.awssdk.core.exception.SdkServiceException s
                ? " " + s.statusCode() : "";
        return e.getClass().getName() + status;
    }

    static void outcome(String name, String what) {
        System.out.println("outcome " + name + " " + what);
    }

    static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    }

    static S3Client s3(URI endpoint, int retries) {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.builder().build())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryPolicy(RetryPolicy.builder().numRetries(retries)
                                // Retries at once: the tests count attempts; the SDK's back-off only adds seconds.
                                .backoffStrategy(BackoffStrategy.none())
                                .throttlingBackoffStrategy(BackoffStrategy.none()).build()).build())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    static DynamoDbClient dynamo(URI endpoint) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.builder().build()).build();
    }
}
