package dev.xraybatch.benchmarks.async;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the agent adds to a {@code CompletableFuture} stage: with the agent, attaching a stage wraps its action
 * with the attacher's context (one capture, one small object) and running it makes that context current and back
 * (two thread-local writes). Run the forks twice, without and with the agent
 * ({@code -jvmArgsAppend -javaagent:...=exporter=file,trace_file=...}), and compare. Both run under the root, as
 * most stages of a job and of the AWS SDK do. From {@code benchmarks/}, after {@code mvn -pl benchmarks
 * -Prun-benchmarks package}:
 * <pre>
 * java -cp "target/classes:$(cat target/benchmark.classpath)" org.openjdk.jmh.Main CompletableFutureStageBenchmark
 * java -cp ... org.openjdk.jmh.Main CompletableFutureStageBenchmark \
 *     -jvmArgsAppend -javaagent:../agent/target/xray-batch-agent.jar=exporter=file,trace_file=/tmp/bench.jsonl
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class CompletableFutureStageBenchmark {
    private static final Function<Integer, Integer> PLUS_ONE = i -> i + 1;
    private final Integer value = 41;

    /** A stage attached to a future already complete: it runs at once, on this thread. */
    @Benchmark
    public Integer thenApplyOnCompleted() {
        return CompletableFuture.completedFuture(value).thenApply(PLUS_ONE).join();
    }

    /** A chain of three stages attached first, run when the future completes (as an SDK call's callbacks). */
    @Benchmark
    public Integer chainThenComplete() {
        CompletableFuture<Integer> source = new CompletableFuture<>();
        CompletableFuture<Integer> last = source.thenApply(PLUS_ONE).thenApply(PLUS_ONE)
                .whenComplete((r, t) -> { });
        source.complete(value);
        return last.join();
    }
}
