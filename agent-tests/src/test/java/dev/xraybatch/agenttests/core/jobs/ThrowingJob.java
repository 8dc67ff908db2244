package dev.xraybatch.agenttests.core.jobs;

/** Main throws out of a subsegment: the job fails with exit code 1. */
public final class ThrowingJob {
    public static void main(String[] args) {
        Spans.run("validate", () -> {
            throw new IllegalStateException("input file is empty", new java.io.EOFException("no bytes"));
        });
    }
}
