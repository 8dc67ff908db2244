package dev.xraybatch.agenttests.core.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Hands work to every kind of thread a batch job uses; each piece of work opens a subsegment that must land under
 * the subsegment that handed it over.
 */
public final class HandOffJob {
    public static void main(String[] args) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        // A pool thread started outside any subsegment: later tasks must still go where they were handed over.
        pool.submit(() -> ReturningJob.sleep(1)).get();
        Spans.in("fan-out", () -> {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                final int n = i;
                futures.add(pool.submit(() -> Spans.run("pool task " + n, () -> ReturningJob.sleep(5))));
            }
            pool.execute(() -> Spans.run("executed task", () -> ReturningJob.sleep(5)));
            for (Future<?> f : futures) {
                f.get();
            }
            CompletableFuture.supplyAsync(() -> Spans.in0("async supply"))
                    .thenApplyAsync(x -> Spans.in0("async then"), pool).get();
            ForkJoinPool.commonPool().submit(() -> Spans.run("fork join task", () -> ReturningJob.sleep(2))).get();
            scheduler.schedule(() -> Spans.run("scheduled task", () -> ReturningJob.sleep(2)), 10,
                    TimeUnit.MILLISECONDS).get();
            Thread thread = new Thread(() -> Spans.run("thread work", () -> ReturningJob.sleep(5)));
            thread.start();
            thread.join();
            return null;
        });
        // Outside the subsegment again: this task belongs to the root, not to fan-out.
        pool.submit(() -> Spans.run("after fan-out", () -> ReturningJob.sleep(1))).get();
        pool.shutdown();
        scheduler.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        System.out.println("HandOffJob done");
    }
}
