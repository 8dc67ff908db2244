package dev.xraybatch.agent.instrument.spark.driver;

import dev.xraybatch.agent.instrument.spark.SparkNames;
import dev.xraybatch.agent.trace.Kind;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Spark's own start-up work on the driver, as subsegments of whatever the thread is doing, so that the seconds a
 * job spends before its first action are explained: the session's creation ({@code SparkSession.Builder
 * .getOrCreate}, with "SparkContext start" inside it) and the state a session builds lazily on first use (SQL
 * conf, catalog and analyzer: {@code sessionState}; warehouse and external catalog: {@code sharedState}), which
 * otherwise hides in whichever line of the job touches the session first. Also the analysis of a query plan
 * when it is slow: Spark analyzes each Dataset eagerly where the job defines it, before any action, and a plan
 * built in a loop ({@code withColumn} after {@code withColumn}) can take seconds to minutes there.
 */
public final class SparkPhases {
    static final String SESSION_START = "SparkSession start";
    static final String SESSION_STATE = "SparkSession state";
    static final String SHARED_STATE = "SparkSession shared state";

    /**
     * A {@code getOrCreate} that returns sooner found its session running: it explains nothing, and a job (or a
     * library) may call it often, so it is not kept.
     */
    static final long SESSION_LOOKUP_MICROS = 50_000L;

    static final String ANALYSIS = "analyze query";
    static final String PYTHON_DRIVER_START = "Python driver start";
    private static final String PYTHON_RUNNER = SparkNames.SPARK + ".deploy.PythonRunner";
    private static final String PYTHON_GATEWAY = SparkNames.SPARK + ".api.python.PythonGatewayServer";
    /** Analyses faster than this are not shown: every Dataset the job defines is analyzed. */
    static final long SLOW_ANALYSIS_MICROS = 100_000L;
    /** At most this many slow analyses become subsegments; the root counts the others. */
    static final int SHOWN_ANALYSES = 50;

    private static final class Open {
        final Subsegment subsegment;
        final String method;
        final Open outer;

        Open(Subsegment subsegment, String method, Open outer) {
            this.subsegment = subsegment;
            this.method = method;
            this.outer = outer;
        }
    }

    /** A query analysis being timed: a subsegment is made afterwards, and only if it was slow. */
    private static final class Analysis {
        final long startMicros;

        Analysis(long startMicros) {
            this.startMicros = startMicros;
        }
    }

    /**
     * Told of time a phase covers without having been the thread's current subsegment (a phase moved back over
     * time that was idle until then, an analysis recorded after the fact): that time is explained now.
     */
    interface Explained {
        void explained(long fromMicros, long toMicros, String byName);
    }

    private final Tracer tracer;
    private final Explained explained;
    private final ThreadLocal<Open> open = new ThreadLocal<>();
    /** Nested analyses (a Dataset built while another is analyzed) count once, as the outermost. */
    private final ThreadLocal<int[]> analysisDepth = new ThreadLocal<int[]>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }
    };
    private final AtomicInteger slowAnalyses = new AtomicInteger();
    /** When the JVM began loading Spark's session or context class; 0 before. */
    private volatile long sparkLoadingMicros;
    private final AtomicBoolean firstStartPhaseTaken = new AtomicBoolean();

    SparkPhases(Tracer tracer, Explained explained) {
        this.tracer = tracer;
        this.explained = explained;
    }

    void sparkLoadingStarted(long micros) {
        sparkLoadingMicros = micros;
    }

    /**
     * The first of Spark's start phases (the session's, or without a session the context's) begins when the JVM
     * began loading Spark, not when the constructor ran: class loading and static set-up are part of Spark's start.
     */
    void beginsWithSparkLoading(Subsegment phase) {
        long loading = sparkLoadingMicros;
        if (loading > 0 && loading < phase.startMicros() && firstStartPhaseTaken.compareAndSet(false, true)) {
            explained.explained(loading, phase.startMicros(), phase.name());
            phase.setStartMicros(loading);
            phase.putMetadata("spark", "includes_loading_spark_classes", Boolean.TRUE);
        }
    }

    /**
     * PySpark: the JVM started first (spark-submit's PythonRunner, or the gateway a Python program launched), then
     * the Python program ran up to its first use of Spark, which it makes through Py4J: that time is Python's.
     * {@code interpreterStartMicros}, when the agent's Python module said, is when the interpreter started.
     * {@code endMicros}: Spark's first use, or the earlier start of the sampled driver time that follows (see
     * {@code SparkContextLifecycle.pythonStartEnd}), so that the two do not overlap.
     */
    void pythonDriverStarted(long jvmMainStartedMicros, long endMicros, long interpreterStartMicros) {
        if (jvmMainStartedMicros <= 0L || endMicros <= jvmMainStartedMicros || tracer.isRootLocal()) {
            return;
        }
        Subsegment s = tracer.beginChild(tracer.root(), PYTHON_DRIVER_START);
        s.setStartMicros(jvmMainStartedMicros);
        if (interpreterStartMicros > jvmMainStartedMicros && interpreterStartMicros < endMicros) {
            s.putMetadata("python", "interpreter_started_after_ms",
                    (interpreterStartMicros - jvmMainStartedMicros) / 1000L);
        }
        s.setEndMicros(endMicros);
        tracer.end(s);
    }

    /** Spark is being loaded for a call that came through Py4J: the driver program is Python. */
    static boolean calledFromPython(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            if (frame.getClassName().startsWith("py4j.")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The thread starts a Python driver program rather than being one: spark-submit's {@code PythonRunner}, or the
     * gateway server a Python program started ({@code PythonGatewayServer}), whose main thread then only waits.
     */
    static boolean launchesPython(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            String type = frame.getClassName();
            if (type.startsWith(PYTHON_RUNNER) || type.startsWith(PYTHON_GATEWAY)) {
                return true;
            }
        }
        return false;
    }

    public Object enter(String method) {
        if (method.equals("assertAnalyzed")) {
            return analysisDepth.get()[0]++ == 0 ? new Analysis(Tracer.nowMicros()) : analysisDepth;
        }
        String name = nameOf(method);
        if (name == null || isOpen(method)) {
            return null; // 4.0's API builder delegates to the classic one: one phase
        }
        Open phase = new Open(tracer.begin(name), method, open.get());
        open.set(phase);
        if (name.equals(SESSION_START)) {
            beginsWithSparkLoading(phase.subsegment);
        }
        return phase;
    }

    public void exit(Object token, Throwable error) {
        if (token == analysisDepth || token instanceof Analysis) {
            analysisDepth.get()[0]--;
            if (token instanceof Analysis) {
                analysisEnded((Analysis) token, error);
            }
            return;
        }
        if (!(token instanceof Open)) {
            return;
        }
        Open phase = (Open) token;
        open.set(phase.outer);
        Subsegment s = phase.subsegment;
        boolean lookupOnly = phase.method.equals("getOrCreate") && error == null
                && Tracer.nowMicros() - s.startMicros() < SESSION_LOOKUP_MICROS;
        if (lookupOnly && tracer.discard(s)) {
            return;
        }
        tracer.end(s, error);
    }

    /** A slow analysis becomes a subsegment of what the thread is doing; a failed one (a bad column) always. */
    private void analysisEnded(Analysis analysis, Throwable error) {
        long end = Tracer.nowMicros();
        if (end - analysis.startMicros < SLOW_ANALYSIS_MICROS && error == null) {
            return;
        }
        int shown = slowAnalyses.incrementAndGet();
        if (shown > SHOWN_ANALYSES) {
            tracer.root().putMetadata("spark", "slow_analyses_not_shown", shown - SHOWN_ANALYSES);
            return;
        }
        Subsegment s = tracer.beginChild(tracer.current(), ANALYSIS);
        s.setKind(Kind.SAMPLE);
        s.setStartMicros(analysis.startMicros);
        CallSite definedAt = CallSite.fromStack(Thread.currentThread().getStackTrace());
        if (definedAt.shortForm != null) {
            s.putMetadata("spark", "defined_at", definedAt.shortForm);
        }
        s.setEndMicros(end);
        tracer.end(s, error);
        explained.explained(analysis.startMicros, end, ANALYSIS);
    }

    private boolean isOpen(String method) {
        for (Open o = open.get(); o != null; o = o.outer) {
            if (o.method.equals(method)) {
                return true;
            }
        }
        return false;
    }

    private static String nameOf(String method) {
        switch (method) {
            case "getOrCreate":
                return SESSION_START;
            case "sessionState$lzycompute":
                return SESSION_STATE;
            case "sharedState$lzycompute":
                return SHARED_STATE;
            default:
                return null;
        }
    }
}
