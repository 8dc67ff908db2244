package dev.xraybatch.agenttests.summaries.app;

/** The hot method of {@link HotLoopJob}: called many times between batches, traced by a pointcut with a limit. */
public final class HotRecords {
    private long sum;

    public long record(int value) {
        sum += value;
        return sum;
    }
}
