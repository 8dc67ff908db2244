package dev.xraybatch.agent.instrument.spark;

import dev.xraybatch.agent.trace.Ids;

/**
 * The value of the agent's action property, {@code <trace id>;<action subsegment id>[;summarized]}: what a job,
 * stage or task needs to attach its subsegments to the driver's action, in this JVM or another. An action that
 * began once the trace budget was spent is summarized: one subsegment for its jobs and stages, and one per
 * executor for its tasks, instead of one per job, stage, and stage and executor.
 */
final class ActionReference {
    private static final String SUMMARIZED = "summarized";

    final String traceId;
    final String actionId;
    final boolean summarized;

    private ActionReference(String traceId, String actionId, boolean summarized) {
        this.traceId = traceId;
        this.actionId = actionId;
        this.summarized = summarized;
    }

    static String format(String traceId, String actionId, boolean summarized) {
        return traceId + ";" + actionId + (summarized ? ";" + SUMMARIZED : "");
    }

    /**
     * The id of the driver's subsegment for one attempt of a stage this action ran: derived from the action's id,
     * so the listener and every executor arrive at the same id without a message between them.
     */
    String stageSubsegmentId(int stageId, int attempt) {
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
    static ActionReference parse(String value) {
        if (value == null) {
            return null;
        }
        int separator = value.indexOf(';');
        if (separator < 0) {
            return null;
        }
        String traceId = value.substring(0, separator);
        String rest = value.substring(separator + 1);
        int flag = rest.indexOf(';');
        String actionId = flag < 0 ? rest : rest.substring(0, flag);
        if (!Ids.isValidTraceId(traceId) || Ids.parseEntityId(actionId) == 0L) {
            return null;
        }
        return new ActionReference(traceId, actionId, flag >= 0 && SUMMARIZED.equals(rest.substring(flag + 1)));
    }
}
