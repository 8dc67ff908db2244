package dev.xraybatch.agenttests.core.jobs;

/** Ends through System.exit(3) from inside a subsegment. */
public final class ExitingJob {
    public static void main(String[] args) {
        Spans.run("check", () -> System.exit(3));
    }
}
