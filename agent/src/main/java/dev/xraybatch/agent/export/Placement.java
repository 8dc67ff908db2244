package dev.xraybatch.agent.export;

import java.util.Collections;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * How to render work into one trace of a run: the trace id its documents carry, the least important level still
 * written out (embedded entities below it are left out and reported, unless {@link #keep} names one of them or
 * something beneath them), and, for the root segment, the agent's own metadata to add under {@code xray_batch}.
 */
public final class Placement {
    /** Everything is kept: no level is left out. */
    public static final int ALL_LEVELS = Integer.MAX_VALUE;
    private static final LongPredicate KEEP_NONE = id -> false;

    public final String traceId;
    public final int maxLevel;
    public final LongPredicate keep;
    public final Map<String, Object> rootMetadata;

    private Placement(String traceId, int maxLevel, LongPredicate keep, Map<String, Object> rootMetadata) {
        this.traceId = traceId;
        this.maxLevel = maxLevel;
        this.keep = keep == null ? KEEP_NONE : keep;
        this.rootMetadata = rootMetadata == null ? Collections.<String, Object>emptyMap() : rootMetadata;
    }

    /** Everything, into {@code traceId}. */
    public static Placement into(String traceId) {
        return new Placement(traceId, ALL_LEVELS, null, null);
    }

    /** The same trace, leaving out embedded entities less important than {@code level} (unless kept). */
    public Placement upToLevel(int level, LongPredicate keepIds) {
        return new Placement(traceId, level, keepIds, rootMetadata);
    }

    /** The same, with the agent's metadata for the root segment. */
    public Placement withRootMetadata(Map<String, Object> metadata) {
        return new Placement(traceId, maxLevel, keep, metadata);
    }
}
