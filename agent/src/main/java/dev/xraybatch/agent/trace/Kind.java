package dev.xraybatch.agent.trace;

import java.util.Locale;

/**
 * What an entity is, for the trace budget: when a trace has room for less than the job did, the least important
 * kinds are left out first (and counted in the root's metadata). Set where the instrumentation creates an entity;
 * {@link #STEP} unless it says otherwise.
 */
public enum Kind {
    /** The job's root segment, and the root of each continuation trace: never left out. */
    ROOT(0),
    /** A Spark action, a Python step, a start-up or Spark phase, a pointcut method: what the job did. The default. */
    STEP(1),
    /** A Spark job. */
    SPARK_JOB(2),
    /** A Spark stage (also a skipped one). */
    SPARK_STAGE(2),
    /** What executors did: per-stage task summaries, slow and failed tasks, Python inside tasks. */
    TASKS(3),
    /** One AWS SDK call. */
    AWS_CALL(3),
    /** One outbound HTTP request or SQL statement execution (a {@code remote} subsegment). */
    REMOTE_CALL(3),
    /** The summary of calls of one name past their limit (AWS SDK calls, hot pointcuts). */
    CALL_SUMMARY(3),
    /** Sampled or incidental time: the Spark driver's code between actions, slow query analysis. */
    SAMPLE(4);

    /** Most important first: anything failed counts as {@link #STEP}'s level whatever its kind. */
    public static final int FAILED_LEVEL = 1;
    /** The least important level. */
    public static final int LEAST_IMPORTANT = 4;

    private final int level;

    Kind(int level) {
        this.level = level;
    }

    /** 0 (never left out) to {@link #LEAST_IMPORTANT} (left out first). */
    public int level() {
        return level;
    }

    /** The key in the "left out" summaries, e.g. {@code aws_call}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
