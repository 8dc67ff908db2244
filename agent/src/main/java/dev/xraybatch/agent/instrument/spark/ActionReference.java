package dev.xraybatch.agent.instrument.spark;

import dev.xraybatch.agent.trace.Ids;

/**
 * The value of the agent's action property, {@code <trace id>;<action subsegment id>[;summarized][;run=<root
 * id>/<job start ms>/<window ms>]}: what a job, stage or task needs to attach its subsegments to the driver's
 * action, in this JVM or another. An action that began once the trace budget ran short is summarized: one
 * subsegment for its jobs and stages, and one per executor for its tasks, instead of one per job, stage, and stage
 * and executor. The run part tells executors the driver's root and windows, so that they send what their tasks did
 * into the same continuation traces as the driver, at the same moments. Unknown parts are ignored, so a newer
 * driver's value still reads here.
 */
public final class ActionReference {
    private static final String SUMMARIZED = "summarized";
    private static final String RUN = "run=";

    public final String traceId;
    public final String actionId;
    public final boolean summarized;
    /** The driver's root segment id; null when the value had no run part. */
    public final String rootId;
    /** When the driver's job started (epoch ms); valid with {@link #rootId}. */
    public final long startMillis;
    /** The driver's window length (ms, 0: none); valid with {@link #rootId}. */
    public final long windowMillis;

    private ActionReference(String traceId, String actionId, boolean summarized, String rootId, long startMillis,
                            long windowMillis) {
        this.traceId = traceId;
        this.actionId = actionId;
        this.summarized = summarized;
        this.rootId = rootId;
        this.startMillis = startMillis;
        this.windowMillis = windowMillis;
    }

    public static String format(String traceId, String actionId, boolean summarized) {
        return traceId + ";" + actionId + (summarized ? ";" + SUMMARIZED : "");
    }

    /** With the driver's run: its root's id, when its job started and its window length. */
    public static String format(String traceId, String actionId, boolean summarized, String rootId, long startMillis,
                         long windowMillis) {
        return format(traceId, actionId, summarized) + ";" + RUN + rootId + "/" + startMillis + "/" + windowMillis;
    }

    /** True when the value named the driver's run. */
    public boolean hasRun() {
        return rootId != null;
    }

    /**
     * The id of the driver's subsegment for one attempt of a stage this action ran: derived from the action's id,
     * so the listener and every executor arrive at the same id without a message between them.
     */
    public String stageSubsegmentId(int stageId, int attempt) {
        long id = mix(Ids.parseEntityId(actionId) ^ mix(((long) stageId << 32) | (attempt & 0xffffffffL)));
        return Ids.entityIdHex(id == 0L ? 1L : id);
    }

    /** SplitMix64's finalizer: every input bit moves about half the output bits. */
    private static long mix(long value) {
        long z = (value ^ (value >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Null unless the value is a well-formed reference (properties can be set by anyone). */
    public static ActionReference parse(String value) {
        if (value == null) {
            return null;
        }
        String[] parts = value.split(";");
        if (parts.length < 2 || !Ids.isValidTraceId(parts[0]) || Ids.parseEntityId(parts[1]) == 0L) {
            return null;
        }
        boolean summarized = false;
        String rootId = null;
        long startMillis = 0L;
        long windowMillis = 0L;
        for (int i = 2; i < parts.length; i++) {
            if (SUMMARIZED.equals(parts[i])) {
                summarized = true;
            } else if (parts[i].startsWith(RUN)) {
                String[] run = parts[i].substring(RUN.length()).split("/");
                if (run.length == 3 && Ids.parseEntityId(run[0]) != 0L) {
                    try {
                        startMillis = Long.parseLong(run[1]);
                        windowMillis = Math.max(0L, Long.parseLong(run[2]));
                        rootId = run[0];
                    } catch (NumberFormatException e) {
                        rootId = null; // a part this version cannot read: the run stays unknown
                    }
                }
            }
        }
        return new ActionReference(parts[0], parts[1], summarized, rootId, startMillis, windowMillis);
    }
}
