package dev.xraybatch.benchmarks.pointcut;

import dev.xraybatch.benchmarks.pointcut.subject.Traced;
import dev.xraybatch.benchmarks.pointcut.subject.Untraced;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Many threads through one hot traced method: {@link Traced#hot} (pointcut {@code limit: 1} in
 * {@code pointcut/per-call.yaml}, so every measured call is summarized) against the same body untraced, in a JVM
 * with the agent. All threads count into the same summary, so this is where a lock on the summarized path would
 * show: threads waiting for each other instead of working. Run through {@link HotMethodThreadsRunner}, which runs it
 * with 1, 16 and 64 threads and prints the added cost per call at each.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class HotMethodThreadsBenchmark {
    // Per thread: the methods' bodies write a field, which must not be a shared cache line.
    private final Traced traced = new Traced();
    private final Untraced untraced = new Untraced();
    private int value = 3;

    @Benchmark
    public int untraced() {
        return untraced.step(value);
    }

    @Benchmark
    public int traced() {
        return traced.hot(value);
    }
}
