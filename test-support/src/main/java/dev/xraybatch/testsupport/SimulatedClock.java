package dev.xraybatch.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The time a {@link LocalXRayEndpoint} judges by: trace-quota bursts and trace age, and the document checks that
 * compare with "now" (trace id epochs). Either manual, standing still until a test moves it, so a three-hour job
 * is simulated in seconds; or the system clock, optionally shifted forward by {@link #advance}, for tests whose
 * documents come from a real child JVM but want the endpoint to see the trace as older than it is.
 * Safe to move from a test thread while the endpoint reads it on its own.
 *
 * <pre>{@code
 * SimulatedClock clock = SimulatedClock.manual(Instant.parse("2026-03-01T00:00:00Z"));
 * LocalXRayEndpoint xray = LocalXRayEndpoint.builder().traceQuota(true).clock(clock).start();
 * ... send a burst; clock.advance(Duration.ofMinutes(7)); send the next ...
 * }</pre>
 */
public final class SimulatedClock extends Clock {

    private final boolean followsSystem;
    /** Manual: the current instant. System: unused. */
    private volatile Instant manualNow;
    /** System: how far ahead of the system clock this clock is. Manual: unused. */
    private volatile Duration offset = Duration.ZERO;

    private SimulatedClock(boolean followsSystem, Instant start) {
        this.followsSystem = followsSystem;
        this.manualNow = start;
    }

    /** A clock that stands at {@code start} until moved. */
    public static SimulatedClock manual(Instant start) {
        return new SimulatedClock(false, Objects.requireNonNull(start, "start"));
    }

    /** A clock that stands at the current time (to the millisecond) until moved. */
    public static SimulatedClock manual() {
        return manual(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    /** The system clock; {@link #advance} and {@link #set} shift it, and it keeps running from there. */
    public static SimulatedClock system() {
        return new SimulatedClock(true, null);
    }

    /** True for a clock that stands still until moved. */
    public boolean isManual() {
        return !followsSystem;
    }

    public Instant now() {
        return followsSystem ? Instant.now().plus(offset) : manualNow;
    }

    /** Moves the clock forward; time never runs backwards this way (use {@link #set} on purpose). */
    public synchronized void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("advance(" + by + "): a clock moves forward; use set(Instant) to go back");
        }
        if (followsSystem) {
            offset = offset.plus(by);
        } else {
            manualNow = manualNow.plus(by);
        }
    }

    /** Puts the clock at {@code instant} (a system clock keeps running from there). */
    public synchronized void set(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        if (followsSystem) {
            offset = Duration.between(Instant.now(), instant);
        } else {
            manualNow = instant;
        }
    }

    // ---------------------------------------------------------------- java.time.Clock, for code that takes one

    @Override
    public Instant instant() {
        return now();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** A view in another zone that reads this same clock (moving this one moves the view). */
    @Override
    public Clock withZone(ZoneId zone) {
        SimulatedClock source = this;
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return zone;
            }

            @Override
            public Clock withZone(ZoneId other) {
                return source.withZone(other);
            }

            @Override
            public Instant instant() {
                return source.now();
            }
        };
    }

    @Override
    public String toString() {
        return followsSystem ? "SimulatedClock.system(offset " + offset + ")" : "SimulatedClock.manual(" + manualNow + ")";
    }
}
