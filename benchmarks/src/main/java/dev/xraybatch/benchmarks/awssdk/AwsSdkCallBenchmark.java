package dev.xraybatch.benchmarks.awssdk;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.concurrent.TimeUnit;

/**
 * One DynamoDB GetItem through the real AWS SDK v2 (sync client, url-connection HTTP client) against
 * {@link FastDynamoDbEndpoint} on loopback: the whole call as the application sees it (marshalling, SigV4, HTTP,
 * unmarshalling). With the agent in the fork, the agent's interceptor runs in every call; without, it is the call's
 * own time. {@link AwsSdkCallRunner} runs the forks both ways, paired; run alone, it is the untraced figure.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class AwsSdkCallBenchmark {
    private FastDynamoDbEndpoint endpoint;
    private DynamoDbClient dynamo;
    private GetItemRequest request;

    @Setup(Level.Trial)
    public void start() throws IOException {
        endpoint = new FastDynamoDbEndpoint();
        dynamo = DynamoDbClient.builder()
                .endpointOverride(endpoint.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                .httpClient(UrlConnectionHttpClient.builder().build())
                .build();
        request = GetItemRequest.builder().tableName("orders").consistentRead(true)
                .key(Collections.singletonMap("id", AttributeValue.builder().s("row-1").build()))
                .build();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        dynamo.close();
        endpoint.close();
    }

    @Benchmark
    public GetItemResponse getItem(CallerCpu cpu) {
        cpu.calls++;
        return dynamo.getItem(request);
    }

    /**
     * The calling thread's CPU time per call, per iteration: what the job pays, whether or not the machine has a
     * free core (JMH's score also counts waiting for one). Appended to the file named by {@code -Dbench.cpu.file}
     * as {@code <ns per call>} lines, one per iteration (warm-up ones included, in order).
     */
    @State(Scope.Thread)
    public static class CallerCpu {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long calls;
        private long cpuAtStart;

        @Setup(Level.Iteration)
        public void begin() {
            calls = 0;
            cpuAtStart = threads.getCurrentThreadCpuTime();
        }

        @TearDown(Level.Iteration)
        public void end() throws IOException {
            String file = System.getProperty("bench.cpu.file");
            if (file != null && calls > 0) {
                double perCall = (threads.getCurrentThreadCpuTime() - cpuAtStart) / (double) calls;
                Files.write(Paths.get(file), (perCall + "\n").getBytes(StandardCharsets.US_ASCII),
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
    }
}
