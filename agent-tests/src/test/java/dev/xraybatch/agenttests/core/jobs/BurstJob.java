package dev.xraybatch.agenttests.core.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Produces {@code count} subsegments, each doing {@code pauseMillis} of work, and prints how long that work took
 * by its own clock ({@code work took N ms}): what a test compares to see that export never slows the job. With a
 * third argument it then prints {@code waiting for marker} and waits until that file exists, so that a test can
 * change the endpoint between the burst and the job's exit.
 */
public final class BurstJob {
    public static void main(String[] args) {
        int count = Integer.parseInt(args[0]);
        long pauseMillis = Long.parseLong(args[1]);
        Path marker = args.length > 2 ? Paths.get(args[2]) : null;

        long began = System.nanoTime();
        for (int i = 0; i < count; i++) {
            Spans.run("item " + i, () -> {
                if (pauseMillis > 0) {
                    ReturningJob.sleep(pauseMillis);
                }
            });
        }
        System.out.println("work took " + (System.nanoTime() - began) / 1_000_000 + " ms");
        if (marker != null) {
            System.out.println("waiting for marker");
            System.out.flush();
            while (!Files.exists(marker)) {
                ReturningJob.sleep(20);
            }
        }
        System.out.println("BurstJob done");
    }
}
