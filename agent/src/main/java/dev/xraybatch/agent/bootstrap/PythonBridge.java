package dev.xraybatch.agent.bootstrap;

/**
 * What the agent's Python module ({@code xray_batch}, shipped in the agent's jar) calls in the driver JVM, through
 * the Py4J gateway PySpark already has: {@code sc._jvm.dev.xraybatch.agent.bootstrap.PythonBridge}. It lives in
 * the boot loader with the other bridges, so Py4J finds it whichever class loader Spark uses, on the
 * {@code -javaagent} and the plugin routes alike. JDK types only; every method is a no-op until the agent installs
 * {@link #hooks}, and none throws: a Python job must not fail because of its tracing.
 *
 * <p>The Python side is the only caller; the signatures are its protocol ({@link #protocolVersion}). Py4J pins each
 * Python thread to one JVM thread, so "the calling thread" is the Python thread's own.
 */
public final class PythonBridge {
    /** Bumped when a method's meaning changes, so that an old module and a new agent can tell. */
    public static final String PROTOCOL = "1";

    /** The agent's side, in {@code instrument/spark}. Tokens are small positive numbers; 0 means "not traced". */
    public interface Hooks {
        void pythonConnected(double interpreterStartEpochSeconds, String pythonVersion, String pysparkVersion);

        long actionBegin(String apiName, String file, int line, String pythonStack);

        void actionEnd(long token, String errorType, String errorMessage, String pythonStack);

        long stepBegin(String name);

        void stepEnd(long token, String errorType, String errorMessage, String pythonStack);

        void annotate(String key, Object value);

        void metadata(String key, String jsonValue);

        String traceId();

        void programFailed(String errorType, String errorMessage, String pythonStack);
    }

    private static volatile Hooks hooks;

    private PythonBridge() {
    }

    public static void install(Hooks implementation) {
        hooks = implementation;
    }

    /** {@value #PROTOCOL} when the agent traces this JVM, else null: how the Python module knows it is heard. */
    public static String protocolVersion() {
        return hooks == null ? null : PROTOCOL;
    }

    /** Once per Python process, before its SparkContext starts: which JVM thread serves Python's main thread. */
    public static void pythonConnected(double interpreterStartEpochSeconds, String pythonVersion,
                                       String pysparkVersion) {
        Hooks h = hooks;
        if (h == null) {
            return;
        }
        try {
            h.pythonConnected(interpreterStartEpochSeconds, pythonVersion, pysparkVersion);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    /** A PySpark call the user made ({@code apiName}, e.g. {@code count}) from {@code file:line} begins. */
    public static long actionBegin(String apiName, String file, int line, String pythonStack) {
        Hooks h = hooks;
        if (h == null) {
            return 0L;
        }
        try {
            return h.actionBegin(apiName, file, line, pythonStack);
        } catch (Throwable t) {
            return 0L;
        }
    }

    /** Ends what {@link #actionBegin} began; the error fields are null when the call returned. */
    public static void actionEnd(long token, String errorType, String errorMessage, String pythonStack) {
        Hooks h = hooks;
        if (h == null || token == 0L) {
            return;
        }
        try {
            h.actionEnd(token, errorType, errorMessage, pythonStack);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    /** {@code with xray_batch.step(name):} begins. */
    public static long stepBegin(String name) {
        Hooks h = hooks;
        if (h == null) {
            return 0L;
        }
        try {
            return h.stepBegin(name);
        } catch (Throwable t) {
            return 0L;
        }
    }

    public static void stepEnd(long token, String errorType, String errorMessage, String pythonStack) {
        Hooks h = hooks;
        if (h == null || token == 0L) {
            return;
        }
        try {
            h.stepEnd(token, errorType, errorMessage, pythonStack);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    /** An annotation on the calling thread's current subsegment (the root outside any). */
    public static void annotate(String key, Object value) {
        Hooks h = hooks;
        if (h == null) {
            return;
        }
        try {
            h.annotate(key, value);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    /** Metadata on the calling thread's current subsegment; the value is a JSON text. */
    public static void metadata(String key, String jsonValue) {
        Hooks h = hooks;
        if (h == null) {
            return;
        }
        try {
            h.metadata(key, jsonValue);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    /** The job's trace id, for the Python program's log lines; null when untraced. */
    public static String traceId() {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.traceId();
        } catch (Throwable t) {
            return null;
        }
    }

    /** The Python program ended with this uncaught exception. */
    public static void programFailed(String errorType, String errorMessage, String pythonStack) {
        Hooks h = hooks;
        if (h == null) {
            return;
        }
        try {
            h.programFailed(errorType, errorMessage, pythonStack);
        } catch (Throwable ignored) {
            // never into the job
        }
    }
}
