package dev.xraybatch.agenttests.summaries.app;

/** A method traced by a pointcut named after its argument ({@code 'load {arg0}'}): {@link DataNamedJob}. */
public final class NamedLoads {
    private long total;

    public long load(String key) {
        total += key.length();
        return total;
    }
}
