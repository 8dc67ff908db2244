package dev.xraybatch.agenttests.core.jobs;

/**
 * Produces {@code count} subsegments over {@code seconds}, then returns: a job that keeps working while its
 * X-Ray endpoint is down. Each subsegment streams out on its own once the agent's buffer of finished
 * subsegments fills.
 */
public final class SteadyJob {
    public static void main(String[] args) {
        int count = Integer.parseInt(args[0]);
        long millis = Long.parseLong(args[1]) * 1000L;
        long pause = Math.max(0, millis / Math.max(1, count));
        for (int i = 0; i < count; i++) {
            Spans.run("item " + i, () -> { });
            if (pause > 0) {
                ReturningJob.sleep(pause);
            }
        }
        System.out.println("SteadyJob done");
    }
}
