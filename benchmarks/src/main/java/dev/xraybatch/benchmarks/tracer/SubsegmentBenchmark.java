package dev.xraybatch.benchmarks.tracer;

import dev.xraybatch.agent.export.DocumentExporter;
import dev.xraybatch.agent.export.Emittable;
import dev.xraybatch.agent.export.ExportPipeline;
import dev.xraybatch.agent.export.ExportSettings;
import dev.xraybatch.agent.export.ExportStats;
import dev.xraybatch.agent.export.SendOutcome;
import dev.xraybatch.agent.export.burst.BurstPolicy;
import dev.xraybatch.agent.trace.Ids;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;
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

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What a traced method costs the application thread: one subsegment opened and closed under the job's root, as the
 * advice does through the bridge (whose own part is a volatile read and an interface call), against an empty
 * baseline. The added cost per call is {@code subsegment - baseline}.
 *
 * <ul>
 *   <li>{@link #subsegment}: finished items go to an in-memory sink that only counts them, so the figure is the
 *   tracer alone;</li>
 *   <li>{@link #subsegmentThroughPipeline}: finished items go through a real {@link ExportPipeline} whose worker
 *   renders them on the other core and discards the documents; the queue's hand-off is in the figure (items that
 *   find the queue full are dropped, which costs less than queueing; the tear-down prints how many);</li>
 *   <li>{@link #subsegmentThroughBursts}: the same through the pipeline with the {@link BurstPolicy}, as the agent
 *   runs for the X-Ray API: the worker renders, holds and leaves out what passes the budget (the clock stands still
 *   in the first window, so nothing is sent); the application thread's share should not change;</li>
 *   <li>{@link #summarizedCall}: {@code beginLimited} past its limit, the path a hot pointcut takes after its first
 *   calls.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SubsegmentBenchmark {
    private static final int LIMIT = 100;

    /** A tracer whose finished items go to a sink that only counts them. */
    @State(Scope.Thread)
    public static class InMemory {
        Tracer tracer;
        long itemsHandedOver;

        @Setup(Level.Trial)
        public void start() {
            tracer = startTracer(item -> itemsHandedOver++);
        }
    }

    /** A tracer whose finished items go through a real export pipeline to an exporter that discards them. */
    @State(Scope.Thread)
    public static class ThroughPipeline {
        Tracer tracer;
        ExportPipeline pipeline;

        @Setup(Level.Trial)
        public void start() {
            pipeline = ExportPipeline.start(new DiscardingExporter(), ExportSettings.defaults());
            tracer = startTracer(pipeline::offer);
        }

        @TearDown(Level.Trial)
        public void stop() {
            ExportStats stats = pipeline.shutdown(5000);
            System.out.println("pipeline counts: " + stats);
        }
    }

    /** A tracer whose finished items go through the pipeline with the burst policy, held within the budget. */
    @State(Scope.Thread)
    public static class ThroughBursts {
        Tracer tracer;
        ExportPipeline pipeline;
        BurstPolicy policy;

        @Setup(Level.Trial)
        public void start() {
            long now = System.currentTimeMillis();
            policy = new BurstPolicy(() -> now, 400 * 1024L, "lower trace_budget_kb", null);
            pipeline = ExportPipeline.start(new DiscardingExporter(), ExportSettings.defaults(), policy);
            tracer = Tracer.start(Ids.newTraceId(now), "benchmark-job", now * 1000L, null, "xray-batch-agent",
                    "benchmark", pipeline::offer, 300_000L, null);
            policy.attach(tracer);
            tracer.useBudget(policy);
        }

        @TearDown(Level.Trial)
        public void stop() {
            tracer.closeRoot(Tracer.nowMicros());
            ExportStats stats = pipeline.shutdown(5000);
            System.out.println("pipeline counts: " + stats + "; held at most " + policy.maxHeldBytes()
                    + " bytes of documents in " + policy.maxHeldItems() + " pieces of work");
        }
    }

    static Tracer startTracer(Consumer<Emittable> export) {
        Tracer tracer = Tracer.start(Ids.newTraceId(System.currentTimeMillis()), "benchmark-job",
                Tracer.nowMicros(), null, "xray-batch-agent", "benchmark", export);
        // Past the limit before measuring: every measured beginLimited call is a summarized one.
        for (int i = 0; i <= LIMIT; i++) {
            tracer.end(tracer.beginLimited("hot-method", LIMIT));
        }
        return tracer;
    }

    @Benchmark
    public void baseline() {
        // Empty: JMH's own cost per call, subtracted from the others.
    }

    @Benchmark
    public Subsegment subsegment(InMemory state) {
        Subsegment s = state.tracer.begin("step");
        state.tracer.end(s);
        return s;
    }

    @Benchmark
    public Subsegment subsegmentThroughPipeline(ThroughPipeline state) {
        Subsegment s = state.tracer.begin("step");
        state.tracer.end(s);
        return s;
    }

    @Benchmark
    public Subsegment subsegmentThroughBursts(ThroughBursts state) {
        Subsegment s = state.tracer.begin("step");
        state.tracer.end(s);
        return s;
    }

    @Benchmark
    public Subsegment summarizedCall(InMemory state) {
        Subsegment s = state.tracer.beginLimited("hot-method", LIMIT);
        state.tracer.end(s);
        return s;
    }

    /** Takes every batch and keeps nothing. */
    private static final class DiscardingExporter implements DocumentExporter {
        @Override
        public SendOutcome send(List<String> documents) {
            return SendOutcome.accepted();
        }

        @Override
        public String describe() {
            return "nowhere (benchmark)";
        }

        @Override
        public void close() {
        }
    }
}
