package dev.xraybatch.agent.instrument.spark.driver;

/**
 * A failed stage or job as an exception for the subsegment's {@code cause}: Spark reports stage failures as a
 * reason text only. No stack trace: it would show the listener thread, not the failure.
 */
final class StageFailure extends Exception {
    private static final long serialVersionUID = 1L;

    StageFailure(String reason) {
        super(reason, null, false, false);
    }
}
