package dev.xraybatch.agenttests.core.jobs;

/** Says it is ready, then waits inside a subsegment until it is stopped (SIGTERM, as AWS Batch stops jobs). */
public final class WaitingJob {
    public static void main(String[] args) {
        Spans.run("prepare", () -> ReturningJob.sleep(5));
        Spans.run("wait for input", () -> {
            System.out.println("ready");
            System.out.flush();
            ReturningJob.sleep(120_000);
        });
    }
}
