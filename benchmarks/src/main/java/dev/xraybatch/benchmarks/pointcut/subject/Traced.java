package dev.xraybatch.benchmarks.pointcut.subject;

import org.openjdk.jmh.annotations.CompilerControl;

/**
 * The methods the per-call benchmark's pointcut file matches ({@code pointcut/per-call.yaml}). Each body is the
 * same tiny computation as in {@link Untraced}, so that the difference between the two is the agent's advice.
 * Never inlined: the figure is per call of a method, as in a job.
 */
public final class Traced {
    private int state = 17;

    /** Matched with a limit no run reaches: every call is a subsegment of its own. */
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public int step(int value) {
        state = state * 31 + value;
        return state;
    }

    /** Matched with limit 1: after the first call every call is only counted into the summary. */
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public int hot(int value) {
        state = state * 31 + value;
        return state;
    }

    /** Matched by a pointcut that names the subsegment after the argument and records it as an annotation. */
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public int load(String table, int value) {
        state = state * 31 + value + table.length();
        return state;
    }

    /** The same pointcut as {@link #load} but with limit 1: arguments are passed but not read past the limit. */
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public int loadHot(String table, int value) {
        state = state * 31 + value + table.length();
        return state;
    }
}
