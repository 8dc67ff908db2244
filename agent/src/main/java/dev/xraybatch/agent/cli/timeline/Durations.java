package dev.xraybatch.agent.cli.timeline;

import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.Locale;
import java.util.TimeZone;

/** Short human forms of durations and instants, the same in the terminal and on the page. */
final class Durations {
    private Durations() {
    }

    /** "0.42 ms", "12.3 ms", "456 ms", "4.56 s", "3m 07s", "2h 05m". */
    static String format(double seconds) {
        double ms = seconds * 1000;
        // Each bound is where the shorter form would round up into the next one ("100.0 ms" is "100 ms").
        if (ms < 9.995) {
            return String.format(Locale.ROOT, "%.2f ms", ms);
        }
        if (ms < 99.95) {
            return String.format(Locale.ROOT, "%.1f ms", ms);
        }
        if (ms < 999.5) {
            return String.format(Locale.ROOT, "%.0f ms", ms);
        }
        if (seconds < 59.995) {
            return String.format(Locale.ROOT, "%.2f s", seconds);
        }
        long whole = Math.round(seconds);
        if (whole < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", whole / 60, whole % 60);
        }
        return String.format(Locale.ROOT, "%dh %02dm", whole / 3600, (whole % 3600) / 60);
    }

    /** Epoch seconds as "2024-01-12 10:11:12.345 UTC". */
    static String instant(double epochSeconds) {
        SimpleDateFormat format = new SimpleDateFormat("yyyy-MM-dd HH:mm:ss.SSS 'UTC'", Locale.ROOT);
        format.setTimeZone(TimeZone.getTimeZone("UTC"));
        return format.format(new Date(Math.round(epochSeconds * 1000)));
    }
}
