package dev.xraybatch.agent.export.burst;

import java.security.SecureRandom;

/**
 * Trace ids of a job's continuation traces. The trace of window {@code k} is derived from the job's trace id and
 * {@code k}, so every JVM of the job (a Spark driver and its executors) arrives at the same one without a message;
 * its time part is the window's start, as X-Ray reads a trace id's first part as when the trace began. A trace
 * taken when X-Ray closed one for its quota is random: only the JVM that took it sends into it.
 */
public final class PartIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private PartIds() {
    }

    /**
     * The trace of window {@code part} (1, 2, ...) of the job whose trace is {@code runTraceId}
     * ({@code 1-<8 hex>-<24 hex>}), beginning at {@code windowStartMillis}.
     */
    public static String partTraceId(String runTraceId, int part, long windowStartMillis) {
        String random = runTraceId.length() == 35 ? runTraceId.substring(11) : runTraceId;
        long high = 0L;
        long low = 0L;
        for (int i = 0; i < random.length(); i++) {
            int digit = Character.digit(random.charAt(i), 16);
            high = (high << 4) | (low >>> 60);
            low = (low << 4) | (digit < 0 ? 0 : digit);
        }
        long a = mix(low ^ mix(0x9e3779b97f4a7c15L * (part + 1L)));
        long b = mix(high ^ a ^ part);
        StringBuilder id = new StringBuilder(35).append("1-");
        appendHex(id, windowStartMillis / 1000L, 8);
        id.append('-');
        appendHex(id, b, 8);
        appendHex(id, a, 16);
        return id.toString();
    }

    /** A new random trace id beginning at {@code startMillis}, for a trace only this JVM sends into. */
    public static String randomTraceId(long startMillis) {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        StringBuilder id = new StringBuilder(35).append("1-");
        appendHex(id, startMillis / 1000L, 8);
        id.append('-');
        for (byte b : bytes) {
            id.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
        return id.toString();
    }

    /** SplitMix64's finalizer. */
    private static long mix(long value) {
        long z = (value ^ (value >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static void appendHex(StringBuilder s, long value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            s.append(HEX[(int) (value >>> shift) & 0xf]);
        }
    }
}
