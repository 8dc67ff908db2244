package dev.xraybatch.agent.bootstrap;

/**
 * What the advice of every library instrumentation calls (pointcut methods, Spark, the AWS SDK; a new library
 * too): one generic bridge, so that adding an instrumentation never changes the boot loader. JDK types only, so
 * it works from any class loader. A call site is an {@code int} fixed when the method is instrumented (its hook,
 * class and method), so the agent's side finds everything it needs with one array read. Arguments and the return
 * value are passed (and boxed) only by the advice shapes that read them. Every call is a no-op until the agent
 * sets {@link #hooks}, and none throws into the job.
 *
 * <p>Kept apart on purpose: {@link XRayBridge} (the JDK's thread hand-off, whose {@code wrap} runs on every
 * executor submit and stays a direct call) and {@link PythonBridge} (a protocol Python calls by name).
 */
public final class HookBridge {
    /** The agent's side, implemented in {@code instrument/hook}: finds the site's hook and calls it. */
    public interface Hooks {
        /** Called on entry; returns the token the exit gets, or null when there is nothing to end. */
        Object enter(int site, Object subject, Object[] arguments);

        /**
         * Ends what {@link #enter} opened. {@code subject} and {@code returned} are null unless the site's advice
         * reads them.
         */
        void exit(int site, Object token, Object subject, Object returned, Throwable thrown);

        /** A value the method returns (or reads), replaced by the agent's: the same one, or another to use. */
        Object replace(int site, Object value, Object subject);

        /** The id of a site registered by name, or -1. */
        int site(String name);
    }

    private static volatile Hooks hooks;

    private HookBridge() {
    }

    public static void install(Hooks implementation) {
        hooks = implementation;
    }

    /**
     * The id of a site the agent registered by name, for code that is not advice: a copy of the agent's classes
     * in another class loader (the Spark plugin, loaded by Spark) reaches the agent's hooks only through here.
     * -1 when there is none; calls with -1 do nothing.
     */
    public static int site(String name) {
        Hooks h = hooks;
        if (h == null) {
            return -1;
        }
        try {
            return h.site(name);
        } catch (Throwable t) {
            return -1;
        }
    }

    /** {@code subject} is whatever the site's advice shape passes: {@code this}, an argument, or null. */
    public static Object enter(int site, Object subject) {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.enter(site, subject, null);
        } catch (Throwable t) {
            return null;
        }
    }

    public static Object enterWithArguments(int site, Object subject, Object[] arguments) {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.enter(site, subject, arguments);
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
            h.exit(site, token, null, null, thrown);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    public static void exitWithSubject(int site, Object token, Object subject, Throwable thrown) {
        Hooks h = hooks;
        if (h == null || token == null) {
            return;
        }
        try {
            h.exit(site, token, subject, null, thrown);
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
            h.exit(site, token, null, returned, thrown);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    /** @return the value to use: {@code value} itself unless the agent gives another (never null for non-null) */
    public static Object replace(int site, Object value, Object subject) {
        Hooks h = hooks;
        if (h == null || value == null) {
            return value;
        }
        try {
            Object replaced = h.replace(site, value, subject);
            return replaced == null ? value : replaced;
        } catch (Throwable t) {
            return value;
        }
    }
}
