package dev.xraybatch.agent.trace;

import java.util.Locale;

/** An upstream {@code X-Amzn-Trace-Id} ({@code Root=1-...;Parent=<16 hex>;Sampled=1}) the job's trace joins. */
public final class TraceHeader {
    public final String root;
    public final String parent;
    /** "1", "0", "?" or null when absent. */
    public final String sampled;

    private TraceHeader(String root, String parent, String sampled) {
        this.root = root;
        this.parent = parent;
        this.sampled = sampled;
    }

    /** The header, or null when it is absent or names no valid trace id. */
    public static TraceHeader parse(String header) {
        if (header == null || header.trim().isEmpty()) {
            return null;
        }
        String root = null;
        String parent = null;
        String sampled = null;
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = part.substring(0, eq).trim();
            String value = part.substring(eq + 1).trim();
            if (key.equalsIgnoreCase("Root")) {
                root = value;
            } else if (key.equalsIgnoreCase("Parent")) {
                parent = value;
            } else if (key.equalsIgnoreCase("Sampled")) {
                sampled = value;
            }
        }
        if (!Ids.isValidTraceId(root)) {
            return null;
        }
        if (Ids.parseEntityId(parent) == 0L) {
            parent = null;
        }
        // X-Ray takes ids in lower-case hex only; an upstream caller may write them in upper case.
        return new TraceHeader(root.toLowerCase(Locale.ROOT), parent == null ? null : parent.toLowerCase(Locale.ROOT),
                sampled);
    }

    public boolean notSampled() {
        return "0".equals(sampled);
    }
}
