package dev.xraybatch.agent.instrument.spark.driver;

import dev.xraybatch.agent.bootstrap.PythonBridge;
import dev.xraybatch.agent.json.JsonReader;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Entity;
import dev.xraybatch.agent.trace.ForeignException;
import dev.xraybatch.agent.trace.Segment;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The agent's side of {@link PythonBridge}: what the Python program of a PySpark driver tells through the agent's
 * Python module ({@code xray_batch}). Its calls to PySpark become actions named by their Python line (through
 * {@link ActionTracker}), its steps subsegments, its uncaught exception the root's fault. Every method runs on the
 * Py4J thread serving the calling Python thread.
 */
final class PythonDriver implements PythonBridge.Hooks {
    /** The namespace of metadata the Python program sets ({@code xray_batch.metadata}), as the X-Ray SDKs use. */
    static final String METADATA_NAMESPACE = "default";
    private static final int MAX_MESSAGE = 2000;
    /** A document holds 64 kB at most: one metadata value from Python may take an eighth of it. */
    static final int MAX_METADATA_CHARS = 8000;

    /** What a token stands for: an action or a step, with the thread context to restore. */
    private static final class Step {
        final Subsegment subsegment;
        final Object previousContext;

        Step(Subsegment subsegment, Object previousContext) {
            this.subsegment = subsegment;
            this.previousContext = previousContext;
        }
    }

    private final Tracer tracer;
    private final ActionTracker actions;
    private final Supplier<Object> sparkContext;
    private final Listener listener;
    private final AtomicLong tokens = new AtomicLong();
    private final Map<Long, Object> open = new ConcurrentHashMap<>();

    /** What the hooks learn from Python that other parts of the Spark tracing need. */
    interface Listener {
        /** The Python program connected from the calling thread; its interpreter started then (epoch micros). */
        void pythonConnected(long interpreterStartMicros, String pythonVersion, String pysparkVersion);
    }

    /** {@code sparkContext} gives the driver's running SparkContext, or null before it starts. */
    PythonDriver(Tracer tracer, ActionTracker actions, Supplier<Object> sparkContext, Listener listener) {
        this.tracer = tracer;
        this.actions = actions;
        this.sparkContext = sparkContext;
        this.listener = listener;
    }

    @Override
    public void pythonConnected(double interpreterStartEpochSeconds, String pythonVersion, String pysparkVersion) {
        long started = interpreterStartEpochSeconds > 0 ? (long) (interpreterStartEpochSeconds * 1_000_000d) : 0L;
        Segment root = tracer.root();
        if (pythonVersion != null) {
            root.putMetadata("python", "version", pythonVersion);
        }
        if (pysparkVersion != null) {
            root.putMetadata("python", "pyspark_version", pysparkVersion);
        }
        listener.pythonConnected(started, pythonVersion, pysparkVersion);
    }

    @Override
    public long actionBegin(String apiName, String file, int line, String pythonStack) {
        ActionTracker.Action action = actions.pythonEnter(sparkContext.get(), nonEmpty(apiName, "spark call"),
                nonEmpty(file, "<python>"), line, pythonStack);
        return action == null ? 0L : remember(action);
    }

    @Override
    public void actionEnd(long token, String errorType, String errorMessage, String pythonStack) {
        Object action = open.remove(token);
        if (action instanceof ActionTracker.Action) {
            ActionTracker.Action a = (ActionTracker.Action) action;
            actions.pythonExit(a, pythonError(errorType, errorMessage, pythonStack, ActionTracker.jvmErrorOf(a)));
        }
    }

    @Override
    public long stepBegin(String name) {
        Subsegment step = tracer.beginChild(tracer.current(), nonEmpty(name, "step"));
        step.putMetadata("python", "step", Boolean.TRUE);
        return remember(new Step(step, tracer.attach(step)));
    }

    @Override
    public void stepEnd(long token, String errorType, String errorMessage, String pythonStack) {
        Object step = open.remove(token);
        if (step instanceof Step) {
            Step s = (Step) step;
            tracer.detach(s.previousContext);
            tracer.end(s.subsegment, pythonError(errorType, errorMessage, pythonStack, null));
        }
    }

    @Override
    public void annotate(String key, Object value) {
        if (key != null && value != null) {
            tracer.current().annotate(key, value);
        }
    }

    @Override
    public void metadata(String key, String jsonValue) {
        if (key == null || jsonValue == null) {
            return;
        }
        if (jsonValue.length() > MAX_METADATA_CHARS) {
            AgentLog.problemOnce("python-metadata-size", "xray_batch.metadata('" + key + "', ...) sent "
                    + jsonValue.length() + " characters; values over " + MAX_METADATA_CHARS + " are cut");
            tracer.current().putMetadata(METADATA_NAMESPACE, key,
                    jsonValue.substring(0, MAX_METADATA_CHARS) + "... (" + jsonValue.length() + " characters)");
            return;
        }
        Object value;
        try {
            value = JsonReader.parse(jsonValue);
        } catch (RuntimeException e) {
            AgentLog.problemOnce("python-metadata", "xray_batch.metadata('" + key + "', ...) sent a value that is"
                    + " not JSON; it is kept as text");
            value = jsonValue;
        }
        Entity current = tracer.current();
        current.putMetadata(METADATA_NAMESPACE, key, value);
    }

    @Override
    public String traceId() {
        return tracer.traceId();
    }

    @Override
    public void programFailed(String errorType, String errorMessage, String pythonStack) {
        Segment root = tracer.root();
        root.markFault();
        root.recordException(pythonError(nonEmpty(errorType, "Exception"), errorMessage, pythonStack, null), false);
        root.putMetadata("python", "failed_with", nonEmpty(errorType, "Exception"));
    }

    private long remember(Object item) {
        long token = tokens.incrementAndGet();
        open.put(token, item);
        return token;
    }

    /** The Python exception as the agent records it, with the Java exception behind it when there is one. */
    private static ForeignException pythonError(String type, String message, String stack, Throwable jvmCause) {
        if (type == null) {
            return null;
        }
        String text = message == null ? null
                : message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "...";
        return new ForeignException(type, text, ForeignException.parseFrames(stack), jvmCause);
    }

    private static String nonEmpty(String value, String fallback) {
        return value == null || value.trim().isEmpty() ? fallback : value;
    }
}
