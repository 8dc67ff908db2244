package dev.xraybatch.benchmarks.pointcut.subject;

import org.openjdk.jmh.annotations.CompilerControl;

/** {@link Traced}'s methods in a class no pointcut matches: the baseline, in the same JVM with the agent. */
public final class Untraced {
    private int state = 17;

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public int step(int value) {
        state = state * 31 + value;
        return state;
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public int load(String table, int value) {
        state = state * 31 + value + table.length();
        return state;
    }
}
