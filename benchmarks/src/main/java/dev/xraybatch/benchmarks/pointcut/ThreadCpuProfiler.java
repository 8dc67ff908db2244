package dev.xraybatch.benchmarks.pointcut;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.Collections;

/**
 * CPU time of the benchmark's own threads per operation ({@code cpu.ns/op}), next to JMH's wall-clock score. On
 * a machine shared with other work, the wall clock also counts the time the thread waited for a core; the thread's
 * CPU time does not, and it leaves out the agent's export worker, which runs on a thread of its own.
 */
public final class ThreadCpuProfiler implements InternalProfiler {
    static final String RESULT = "cpu.ns/op";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private long cpuBefore;

    @Override
    public String getDescription() {
        return "CPU time of the benchmark threads (jmh-worker) per operation";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        cpuBefore = workerCpuNanos();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
                                                       IterationParams iterationParams, IterationResult result) {
        long ops = result.getMetadata().getAllOps();
        double perOp = ops == 0 ? Double.NaN : (workerCpuNanos() - cpuBefore) / (double) ops;
        return Collections.singletonList(new ScalarResult(RESULT, perOp, "ns/op", AggregationPolicy.AVG));
    }

    private long workerCpuNanos() {
        long total = 0;
        for (ThreadInfo thread : threads.dumpAllThreads(false, false)) {
            if (thread.getThreadName().contains("jmh-worker")) {
                long cpu = threads.getThreadCpuTime(thread.getThreadId());
                if (cpu > 0) {
                    total += cpu;
                }
            }
        }
        return total;
    }
}
