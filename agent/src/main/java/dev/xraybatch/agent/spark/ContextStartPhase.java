package dev.xraybatch.agent.spark;

import dev.xraybatch.agent.bootstrap.SparkBridge;
import dev.xraybatch.agent.trace.Entity;

/**
 * The "SparkContext start" subsegment for a context whose constructor was already running when the agent
 * arrived. Goes through {@link SparkBridge}, like the constructor advice of the {@code -javaagent} route, so the
 * phase is the same subsegment with the same metadata. This class is loaded only once the agent has put the
 * bridge on the bootstrap class path.
 */
final class ContextStartPhase {
    private ContextStartPhase() {
    }

    /** @return the open phase, or null when the agent is not tracing */
    static Object open(Object sparkContext) {
        Object phase = SparkBridge.contextStartEnter();
        long startMillis = SparkConfs.startTimeMillis(sparkContext);
        // The phase began with the constructor, before the agent existed.
        if (phase instanceof Entity && startMillis > 0) {
            ((Entity) phase).setStartMicros(startMillis * 1000L);
        }
        return phase;
    }

    static void close(Object phase, Object sparkContext) {
        SparkBridge.contextStartExit(phase, sparkContext);
    }
}
