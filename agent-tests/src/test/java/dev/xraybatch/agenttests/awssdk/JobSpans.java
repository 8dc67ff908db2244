package dev.xraybatch.agenttests.awssdk;

import java.lang.reflect.Method;

/**
 * The job's own subsegments, opened through the agent's bootstrap bridge (defined in the boot loader) so that the
 * SDK calls have a parent of the job's making. Without the agent, a no-op.
 */
final class JobSpans {
    private static final Method BEGIN;
    private static final Method END;

    static {
        Method begin = null;
        Method end = null;
        try {
            Class<?> bridge = Class.forName("dev.xraybatch.agent.bootstrap.XRayBridge", true, null);
            begin = bridge.getMethod("begin", String.class);
            end = bridge.getMethod("end", Object.class, Throwable.class);
        } catch (ReflectiveOperationException noAgent) {
            // runs untraced
        }
        BEGIN = begin;
        END = end;
    }

    private JobSpans() {
    }

    static Object begin(String name) {
        try {
            return BEGIN == null ? null : BEGIN.invoke(null, name);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static void end(Object span) {
        try {
            if (END != null) {
                END.invoke(null, span, null);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
