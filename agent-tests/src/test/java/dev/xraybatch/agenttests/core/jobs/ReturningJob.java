package dev.xraybatch.agenttests.core.jobs;

/** Returns normally from main after nested work. */
public final class ReturningJob {
    public static void main(String[] args) {
        Spans.run("load", () -> Spans.run("parse", () -> sleep(20)));
        Spans.run("write", () -> sleep(10));
        System.out.println("ReturningJob done");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
