package dev.xraybatch.agenttests.pointcuts.app;

import java.util.Arrays;

/** A small multi-class job traced only through a pointcut file. */
public final class PointcutsJob {
    private PointcutsJob() {
    }

    public static void main(String[] args) throws Exception {
        long total = new Pipeline().run(new Batch("orders", Arrays.asList("a", "bb", "ccc")));
        System.out.println("done: " + total);
    }
}
