package dev.xraybatch.agenttests.pointcuts.app;

/** The hot method: called a million times. */
public class Counter {
    private long total;

    public long increment(int by) {
        total += by;
        return total;
    }
}
