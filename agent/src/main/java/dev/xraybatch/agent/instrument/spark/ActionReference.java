package dev.xraybatch.agent.instrument.spark;

import dev.xraybatch.agent.trace.Ids;

/**
 * The value of the agent's action property, {@code <trace id>;<action subsegment id>}: what a job, stage or task
 * needs to attach its subsegments to the driver's action, in this JVM or another.
 */
final class ActionReference {
    final String traceId;
    final String actionId;

    private ActionReference(String traceId, String actionId) {
        this.traceId = traceId;
        this.actionId = actionId;
    }

    static String format(String traceId, String actionId) {
        return traceId + ";" + actionId;
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
        String actionId = value.substring(separator + 1);
        if (!Ids.isValidTraceId(traceId) || Ids.parseEntityId(actionId) == 0L) {
            return null;
        }
        return new ActionReference(traceId, actionId);
    }
}
