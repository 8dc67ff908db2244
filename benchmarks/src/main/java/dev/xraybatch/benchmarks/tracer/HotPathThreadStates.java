package dev.xraybatch.benchmarks.tracer;

import dev.xraybatch.agent.trace.Ids;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where threads spend their time on the summarized path: {@code threads} threads call {@code beginLimited/end} past
 * the limit of one name (all counting into the same summary) for {@code seconds}, while the main thread samples
 * their states every millisecond. Prints the calls made and the share of samples in which a worker was BLOCKED on a
 * monitor. Unlike a timing, the share does not depend on how loaded the machine is: a lock on the hot path shows
 * as BLOCKED samples whatever the number of cores, and none means no thread ever waited for another there.
 *
 * <p>Usage: {@code HotPathThreadStates <threads> <seconds>}, with the agent jar on the class path (the tracer is
 * used in-process, as {@link SubsegmentBenchmark} does).
 */
public final class HotPathThreadStates {
    private HotPathThreadStates() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        long seconds = Long.parseLong(args[1]);
        LongAdder handedOver = new LongAdder();
        Tracer tracer = Tracer.start(Ids.newTraceId(System.currentTimeMillis()), "benchmark-job", Tracer.nowMicros(),
                null, "xray-batch-agent", "benchmark", item -> handedOver.increment());
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder calls = new LongAdder();
        List<Thread> workers = new ArrayList<>();
        Set<Long> ids = new HashSet<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    Subsegment s = tracer.beginLimited("hot-method", 1);
                    tracer.end(s);
                    n++;
                }
                calls.add(n);
            }, "worker-" + t);
            worker.setDaemon(true);
            workers.add(worker);
        }
        workers.forEach(Thread::start);
        workers.forEach(w -> ids.add(w.getId()));
        long[] idArray = ids.stream().mapToLong(Long::longValue).toArray();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Thread.sleep(1000); // warm-up
        long samples = 0;
        long blocked = 0;
        long runnable = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            for (ThreadInfo info : mx.getThreadInfo(idArray)) {
                if (info == null) {
                    continue;
                }
                samples++;
                if (info.getThreadState() == Thread.State.BLOCKED) {
                    blocked++;
                } else if (info.getThreadState() == Thread.State.RUNNABLE) {
                    runnable++;
                }
            }
            Thread.sleep(1);
        }
        stop.set(true);
        for (Thread worker : workers) {
            worker.join();
        }
        System.out.printf("%d threads: %,d calls; thread samples %,d: BLOCKED %.1f%%, RUNNABLE %.1f%%%n", threads,
                calls.sum(), samples, 100.0 * blocked / samples, 100.0 * runnable / samples);
    }
}
