package dev.xraybatch.agent.trace;

import java.util.Map;

/**
 * Figures of one window of the job (the JVM's GC pauses in it) that a continuation trace's root carries as
 * annotations, so that a long job's reader finds them in the trace of the window they belong to. Called on the
 * export worker as the window's root is rendered: cheap, and never throws.
 */
public interface WindowFigures {
    /** Annotations for the window from {@code startMicros} to {@code endMicros} (epoch microseconds); may be empty. */
    Map<String, Object> of(long startMicros, long endMicros);
}
