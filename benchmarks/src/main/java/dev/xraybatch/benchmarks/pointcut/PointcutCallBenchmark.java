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
 * What a pointcut costs the application thread per call, measured in a JVM started with the agent and the
 * pointcut file {@code pointcut/per-call.yaml}: each benchmark calls one method of {@link Traced} (matched) and
 * its baseline calls the same method of {@link Untraced} (no pointcut), so the added cost per call is the
 * difference. Run through {@link PointcutCallRunner}, which adds {@code -javaagent} to the forks; run alone, every
 * figure is the baseline.
 *
 * <ul>
 *   <li>{@link #matched}: every call a subsegment of its own under the job's root (the limit is never reached);</li>
 *   <li>{@link #matchedPastLimit}: a hot method past its limit, only counted into the summary;</li>
 *   <li>{@link #capturingArgument}: named after its first argument, which is also recorded as an annotation;</li>
 *   <li>{@link #capturingArgumentPastLimit}: the same past the limit (arguments are passed, the name is built,
 *   the annotation is not read).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class PointcutCallBenchmark {
    private final Traced traced = new Traced();
    private final Untraced untraced = new Untraced();
    // Fields, not constants, so that the JIT cannot fold the calls away.
    private int value = 3;
    private String table = "orders";

    @Benchmark
    public int unmatched() {
        return untraced.step(value);
    }

    @Benchmark
    public int matched() {
        return traced.step(value);
    }

    @Benchmark
    public int matchedPastLimit() {
        return traced.hot(value);
    }

    @Benchmark
    public int unmatchedWithArguments() {
        return untraced.load(table, value);
    }

    @Benchmark
    public int capturingArgument() {
        return traced.load(table, value);
    }

    @Benchmark
    public int capturingArgumentPastLimit() {
        return traced.loadHot(table, value);
    }
}
