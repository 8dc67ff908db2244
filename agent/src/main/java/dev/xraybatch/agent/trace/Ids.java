package dev.xraybatch.agent.trace;

import java.security.SecureRandom;
import java.util.concurrent.ThreadLocalRandom;

/** X-Ray identifiers: trace ids {@code 1-<8 hex epoch s>-<24 hex random>}, entity ids of 16 lower-case hex. */
public final class Ids {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Ids() {
    }

    /** A new trace id whose epoch part is the job's start, with a random part from a secure source. */
    public static String newTraceId(long startEpochMillis) {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        StringBuilder id = new StringBuilder(35).append("1-");
        appendHex(id, startEpochMillis / 1000L, 8);
        id.append('-');
        for (byte b : random) {
            id.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
        return id.toString();
    }

    /** A random, non-zero 64-bit entity id. Uniqueness within a trace is what X-Ray asks; 64 random bits give it. */
    public static long newEntityId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0L);
        return id;
    }

    public static String entityIdHex(long id) {
        StringBuilder s = new StringBuilder(16);
        appendHex(s, id, 16);
        return s.toString();
    }

    /** Parses 16 hex digits; 0 when malformed. */
    public static long parseEntityId(String hex) {
        if (hex == null || hex.length() != 16) {
            return 0L;
        }
        try {
            return Long.parseUnsignedLong(hex, 16);
        } catch (NumberFormatException e) {
            return 0L;
        }
    }

    public static boolean isValidTraceId(String traceId) {
        if (traceId == null || traceId.length() != 35 || !traceId.startsWith("1-") || traceId.charAt(10) != '-') {
            return false;
        }
        for (int i = 2; i < 35; i++) {
            if (i != 10 && Character.digit(traceId.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    static void appendHex(StringBuilder s, long value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            s.append(HEX[(int) (value >>> shift) & 0xf]);
        }
    }
}
