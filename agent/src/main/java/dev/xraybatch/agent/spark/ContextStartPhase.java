package dev.xraybatch.agent.spark;

import dev.xraybatch.agent.bootstrap.HookBridge;
import dev.xraybatch.agent.trace.Entity;

/**
 * The "SparkContext start" subsegment for a context whose constructor was already running when the agent
 * arrived. Goes through {@link HookBridge} to the hook the constructor advice of the {@code -javaagent} route calls
 * ({@value #SITE}, registered by name: this class is the plugin's copy, in Spark's loader), so the phase is the
 * same subsegment with the same metadata. This class is loaded only once the agent has put the
 * bridge on the bootstrap class path.
 */
final class ContextStartPhase {
    /** The name {@code instrument/spark/SparkInstrumentation.CONTEXT_START_SITE} registers the hook under. */
    static final String SITE = "spark context start";

    private ContextStartPhase() {
    }

    /** @return the open phase, or null when the agent is not tracing */
    static Object open(Object sparkContext) {
        Object phase = HookBridge.enter(HookBridge.site(SITE), null);
        long startMillis = SparkConfs.startTimeMillis(sparkContext);
        // The phase began with the constructor, before the agent existed.
        if (phase instanceof Entity && startMillis > 0) {
            ((Entity) phase).setStartMicros(startMillis * 1000L);
        }
        return phase;
    }

    static void close(Object phase, Object sparkContext) {
        HookBridge.exitWithSubject(HookBridge.site(SITE), phase, sparkContext, null);
    }
}
