package dev.xraybatch.agenttests.summaries.app;

import dev.xraybatch.agenttests.core.jobs.Spans;

/**
 * A job that works in small batches for {@code seconds}: each batch a subsegment of about 2 ms, then
 * {@code hotPerBatch} calls of {@link HotRecords#record} (a pointcut with a limit: past it, only summarized), then
 * {@code pauseMillis} of rest. It prints {@code batch <n> at <ms> hot <calls so far>} as each batch starts, so that
 * a test can tell how far it got and kill it at a known moment, then {@code HotLoopJob done: <hot calls>}.
 *
 * <p>{@code main(seconds, hotPerBatch, pauseMillis)}.
 */
public final class HotLoopJob {
    private HotLoopJob() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(args[0]);
        int hotPerBatch = Integer.parseInt(args[1]);
        long pauseMillis = Long.parseLong(args[2]);
        HotRecords records = new HotRecords();
        long hotCalls = 0;
        long began = System.nanoTime();
        long end = began + seconds * 1_000_000_000L;
        for (int batch = 0; System.nanoTime() < end; batch++) {
            System.out.println("batch " + batch + " at " + (System.nanoTime() - began) / 1_000_000 + " hot " + hotCalls);
            System.out.flush();
            Spans.run("batch " + batch, () -> {
                long until = System.nanoTime() + 2_000_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            });
            for (int i = 0; i < hotPerBatch; i++) {
                records.record(i);
                hotCalls++;
            }
            Thread.sleep(pauseMillis);
        }
        System.out.println("HotLoopJob done: " + hotCalls);
    }
}
