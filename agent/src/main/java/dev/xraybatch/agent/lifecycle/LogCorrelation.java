package dev.xraybatch.agent.lifecycle;

import dev.xraybatch.agent.log.AgentLog;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts the trace id in the logging MDC of whichever logging API the job uses (SLF4J and so Logback, Log4j 2), as
 * {@code AWS-XRAY-TRACE-ID} like the X-Ray SDK, so a log pattern with {@code %X{AWS-XRAY-TRACE-ID}} ties log lines
 * to the trace. Found at run time in the main class's loader; nothing happens when neither API is there.
 */
public final class LogCorrelation {
    public static final String MDC_KEY = "AWS-XRAY-TRACE-ID";
    // Assembled at run time: the shade plugin would otherwise rewrite these names to our relocated copies.
    private static final String[] MDC_CLASSES = {
            "org." + "slf4j.MDC",
            "org." + "apache.logging.log4j.ThreadContext",
    };

    private final String value;
    private volatile List<Method> puts = new ArrayList<>();
    private final ThreadLocal<Boolean> done = new ThreadLocal<>();

    /** @param value {@code <trace id>@<root segment id>}, the X-Ray SDK's form */
    public LogCorrelation(String value) {
        this.value = value;
    }

    public void onMainStarted(Class<?> mainClass) {
        ClassLoader loader = mainClass.getClassLoader();
        List<Method> found = new ArrayList<>();
        for (String name : MDC_CLASSES) {
            try {
                Class<?> mdc = Class.forName(name, true, loader);
                found.add(mdc.getMethod("put", String.class, String.class));
            } catch (Throwable absent) {
                // that API is not used by this job
            }
        }
        puts = found;
        onThreadJoinsTrace();
    }

    /** Once per thread: the first time a thread runs traced work, its MDC gets the trace id too. */
    public void onThreadJoinsTrace() {
        List<Method> methods = puts;
        if (methods.isEmpty() || done.get() != null) {
            return;
        }
        done.set(Boolean.TRUE);
        for (Method put : methods) {
            try {
                put.invoke(null, MDC_KEY, value);
            } catch (Throwable t) {
                AgentLog.debug("MDC " + put.getDeclaringClass().getName() + ": " + t);
            }
        }
    }
}
