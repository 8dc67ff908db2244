package dev.xraybatch.benchmarks.gaps;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * A job that spends its whole run in its own code, with no pointcut: a fixed amount of computing (so that its CPU
 * time is the same from run to run), at the bottom of a stack some 60 frames deep (a framework's depth, which is
 * what each sample copies), with sleeps between the rounds. The agent's sampler works for its whole run.
 */
public final class OwnCodeJob {
    static final String DONE = "OwnCodeJob done";
    static final String SAMPLER_THREAD = "xray-batch-gaps";
    static volatile long sink;

    /**
     * {@code <rounds> [handoff]}: with {@code handoff}, each round's computing runs on a pool's thread while main
     * waits for its future (the sampler then reads the worker's stack as well as main's).
     */
    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        java.util.concurrent.ExecutorService worker = args.length > 1 && args[1].equals("handoff")
                ? java.util.concurrent.Executors.newSingleThreadExecutor() : null;
        for (int r = 0; r < rounds; r++) {
            if (worker == null) {
                sink += nested(60, 40_000_000L);
            } else {
                sink += worker.submit(() -> nested(60, 40_000_000L)).get();
            }
            Thread.sleep(300);
        }
        if (worker != null) {
            worker.shutdown();
        }
        System.out.println(DONE + " " + sink);
        System.out.println(samplerCpu());
    }

    /**
     * The CPU time of the agent's sampler thread and of the whole process so far: the sampler's own cost measured
     * directly, which the whole-process ratio cannot resolve on a busy machine.
     */
    static String samplerCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sampler = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().equals(SAMPLER_THREAD)) {
                sampler += threads.getThreadCpuTime(info.getThreadId());
            }
        }
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        return String.format("sampler_cpu_ms=%.1f process_cpu_ms=%.1f uptime_ms=%d", sampler / 1e6, process / 1e6,
                uptime);
    }

    static long nested(int depth, long work) {
        return depth == 0 ? compute(work) : nested(depth - 1, work) + 1;
    }

    static long compute(long work) {
        long h = 17;
        for (long i = 0; i < work; i++) {
            h = h * 31 + (i ^ (h >>> 7));
        }
        return h;
    }
}
