package dev.xraybatch.agent.bootstrap;

/**
 * What the advice of pointcut methods calls. JDK types only, so it works from any class loader. A call site is
 * an {@code int} fixed when the method is instrumented (its pointcut, class and method), so the agent's side
 * finds everything it needs with one array read. Arguments and the return value are passed (and boxed) only by
 * the advice of pointcuts that read them. Every call is a no-op until the agent sets {@link #hooks}, and none
 * throws into the job.
 */
public final class MethodBridge {
    /** The agent's side, implemented in {@code instrument/methods}. */
    public interface Hooks {
        /** Opens the call's subsegment; returns the token the exit gets, or null when nothing is traced. */
        Object enter(int site, Object self, Object[] arguments);

        /** Ends what {@link #enter} opened; {@code returned} is null unless the site reads the return value. */
        void exit(int site, Object token, Object returned, Throwable thrown);
    }

    private static volatile Hooks hooks;

    private MethodBridge() {
    }

    public static void install(Hooks implementation) {
        hooks = implementation;
    }

    public static Object enter(int site, Object self) {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.enter(site, self, null);
        } catch (Throwable t) {
            return null;
        }
    }

    public static Object enterWithArguments(int site, Object self, Object[] arguments) {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.enter(site, self, arguments);
        } catch (Throwable t) {
            return null;
        }
    }

    public static void exit(int site, Object token, Throwable thrown) {
        Hooks h = hooks;
        if (h == null || token == null) {
            return;
        }
        try {
            h.exit(site, token, null, thrown);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    public static void exitWithReturn(int site, Object token, Object returned, Throwable thrown) {
        Hooks h = hooks;
        if (h == null || token == null) {
            return;
        }
        try {
            h.exit(site, token, returned, thrown);
        } catch (Throwable ignored) {
            // never into the job
        }
    }
}
