package dev.xraybatch.agent.trace;

/**
 * Epoch microseconds from one wall-clock reading plus the monotonic clock, so that times within a JVM never go
 * backwards (NTP steps) and cost one {@code nanoTime} each.
 */
public final class Clock {
    private static final long BASE_EPOCH_MICROS = System.currentTimeMillis() * 1000L;
    private static final long BASE_NANOS = System.nanoTime();

    private Clock() {
    }

    public static long nowMicros() {
        return BASE_EPOCH_MICROS + (System.nanoTime() - BASE_NANOS) / 1000L;
    }
}
