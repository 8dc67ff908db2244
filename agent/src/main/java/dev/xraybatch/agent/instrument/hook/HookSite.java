package dev.xraybatch.agent.instrument.hook;

/**
 * One instrumented method as its hook sees it: which class and method (so an advice needs no
 * {@code @Origin} string), and what the module attached to the site ({@link #detail}, e.g. a pointcut's compiled
 * name and captures).
 */
public final class HookSite {
    public final int id;
    public final Hook hook;
    /** The instrumented class's name, e.g. {@code org.apache.spark.SparkContext}. */
    public final String className;
    /** The method's name as the JVM knows it ({@code <init>} for a constructor). */
    public final String methodName;
    private final Object detail;

    HookSite(int id, Hook hook, String className, String methodName, Object detail) {
        this.id = id;
        this.hook = hook;
        this.className = className;
        this.methodName = methodName;
        this.detail = detail;
    }

    /** What {@link HookSites.Details} made for this site; null when the hook needs none. */
    public Object detail() {
        return detail;
    }

    /** For debug lines: a stack shows {@code HookBridge.enter}, this says which site it was. */
    @Override
    public String toString() {
        return "site " + id + " " + className + "." + methodName + " -> " + hook;
    }
}
