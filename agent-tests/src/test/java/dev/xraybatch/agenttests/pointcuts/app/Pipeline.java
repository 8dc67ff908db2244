package dev.xraybatch.agenttests.pointcuts.app;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

public class Pipeline {
    public static final int HOT_CALLS = 1_000_000;

    private final List<Step> steps = Arrays.asList(new LoadStep(), new SaveStep());

    public long run(Batch batch) throws Exception {
        for (Step step : steps) {
            step.execute(batch);
        }
        new Auditor().audit(batch.getName());
        try {
            Validator.validate("");
        } catch (IllegalArgumentException expected) {
            // the job handles bad rows itself; the trace still shows the failed call
        }
        fanOut(4);
        Counter counter = new Counter();
        long total = 0;
        for (int i = 0; i < HOT_CALLS; i++) {
            total = counter.increment(1);
        }
        return total;
    }

    public int fanOut(int parts) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < parts; i++) {
                final int part = i;
                results.add(pool.submit(() -> new Worker().work(part)));
            }
            int sum = 0;
            for (Future<Integer> result : results) {
                sum += result.get();
            }
            return sum;
        } finally {
            pool.shutdown();
        }
    }
}
