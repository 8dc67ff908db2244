package dev.xraybatch.agent.log;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's own log: plain lines on stderr with a fixed prefix, so a user grepping a job's log (CloudWatch,
 * the Glue console) finds every line the agent wrote. No logging framework: the agent must not touch the job's.
 *
 * <p>{@link #problemOnce} keeps a repeating failure (an endpoint down for minutes) to one line per cause.
 */
public final class AgentLog {
    public static final String PREFIX = "[xray-batch-agent] ";

    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();
    private static volatile boolean debug = Boolean.getBoolean("xraybatch.debug")
            || "true".equalsIgnoreCase(System.getenv("XRAY_BATCH_DEBUG"));
    // Captured at class load: a job that replaces System.err later must not receive the agent's lines.
    private static final PrintStream ERR = System.err;

    private AgentLog() {
    }

    public static void enableDebug(boolean enabled) {
        debug = enabled;
    }

    public static boolean isDebug() {
        return debug;
    }

    /** A line every user should see: start-up, the trace id, the closing counts. */
    public static void info(String message) {
        write(message);
    }

    /** Something is wrong and the user can fix it; says what to do. */
    public static void problem(String message) {
        write(message);
    }

    /** Like {@link #problem} but written only the first time for the given key. */
    public static void problemOnce(String key, String message) {
        if (REPORTED.add(key)) {
            write(message);
        }
    }

    /** An internal failure: the agent degrades, the job goes on. Stack trace only in debug mode. */
    public static void internalError(String what, Throwable error) {
        if (REPORTED.add("internal:" + what + ":" + error.getClass().getName())) {
            write("internal error in " + what + " (the job is not affected): " + error);
            if (debug) {
                error.printStackTrace(ERR);
            }
        }
    }

    public static void debug(String message) {
        if (debug) {
            write("debug: " + message);
        }
    }

    private static void write(String message) {
        try {
            ERR.println(PREFIX + message);
        } catch (Throwable ignored) {
            // stderr closed: nothing we can do, and the job must not notice.
        }
    }
}
