package dev.xraybatch.agenttests.gaps;

import dev.xraybatch.agenttests.core.jobs.Spans;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A job that spends its time in its own code, with no pointcut: computing, sleeping, blocked on a monitor another
 * thread holds, waiting for a worker that computes. Only its first and last steps are subsegments; the rest is for the agent's
 * sampler to explain. Each phase is bounded by the clock, not by an amount of work, so that it lasts long enough
 * to be sampled however busy the machine is.
 */
public final class PlainJob {
    private static final Object LEDGER = new Object();
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        Spans.run("read input", () -> sleep(100));
        warmCache(1200);
        pause(700);
        awaitLedger(700);
        waitForWorker(700);
        Spans.run("write output", () -> sleep(100));
        System.out.println("PlainJob done " + sink);
    }

    static void warmCache(long millis) {
        Map<Integer, Long> cache = new HashMap<>();
        long until = System.nanoTime() + millis * 1_000_000L;
        int i = 0;
        while (System.nanoTime() < until) {
            long h = i;
            for (int k = 0; k < 1000; k++) {
                h = h * 31 + k;
            }
            cache.put(i++ % 100_000, h);
        }
        sink += cache.size();
    }

    static void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    /** Another thread holds the ledger's monitor for {@code millis}: this thread is BLOCKED on it meanwhile. */
    static void awaitLedger(long millis) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            synchronized (LEDGER) {
                held.countDown();
                sleep(millis);
            }
        }, "ledger-holder");
        holder.start();
        held.await();
        synchronized (LEDGER) {
            sink++;
        }
        holder.join();
    }

    /** Hands the computing to a thread of its own and waits for it: the time is the worker's {@code crunch}. */
    static void waitForWorker(long millis) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Thread worker = new Thread(() -> {
            crunch(millis);
            done.countDown();
        }, "worker");
        worker.start();
        done.await();
    }

    static void crunch(long millis) {
        long until = System.nanoTime() + millis * 1_000_000L;
        long h = 17;
        while (System.nanoTime() < until) {
            for (int k = 0; k < 1000; k++) {
                h = h * 31 + k;
            }
        }
        sink += h;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
