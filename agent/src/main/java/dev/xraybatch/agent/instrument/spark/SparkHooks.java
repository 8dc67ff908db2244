package dev.xraybatch.agent.instrument.spark;

import dev.xraybatch.agent.bootstrap.SparkBridge;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Segment;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The agent's side of {@link SparkBridge}: actions ({@link ActionTracker}), the listener for jobs and stages
 * ({@link SparkEventListener}), Spark's own start and stop phases, the job's identity on the root segment, and
 * executor tasks ({@link ExecutorTasks}).
 *
 * <p>Every way a driver ends sends what the listener still holds: after {@code SparkContext.stop} returns (it
 * drains the listener queues first), and, when the job never stops the context (or ends with
 * {@code System.exit}, as PySpark's gateway does), from a hook in Hadoop's shutdown hook manager that runs after
 * Spark's own, which stops the context. The agent's exit flush waits for that hook.
 */
final class SparkHooks implements SparkBridge.Hooks {
    /** Hadoop runs higher priorities first; Spark's hook (which stops the context) has 40, file systems 10. */
    static final int AFTER_SPARK_SHUTDOWN_PRIORITY = 35;

    private final Tracer tracer;
    private final TraceBudget budget;
    private final ActionTracker actions;
    private final SparkPhases phases;
    private final ExecutorTasks tasks;
    private final Supplier<Runnable> exitHold;
    private final List<SparkEventListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean hadoopHookAdded = new AtomicBoolean();
    private final AtomicBoolean sparkLoading = new AtomicBoolean();
    private volatile DriverGapSampler driverGaps;
    private final LongSupplier mainStartedMicros;
    /** {@code stop()} can call {@code stop(int)}; only the outermost call is a phase. */
    private final ThreadLocal<Boolean> stopping = new ThreadLocal<>();

    SparkHooks(Tracer tracer, ExecutorTasks tasks, Supplier<Runnable> exitHold, LongSupplier mainStartedMicros) {
        this.mainStartedMicros = mainStartedMicros;
        this.tracer = tracer;
        this.budget = new TraceBudget(tracer);
        this.actions = new ActionTracker(tracer, budget);
        this.phases = new SparkPhases(tracer, micros -> {
            DriverGapSampler gaps = driverGaps;
            if (gaps != null) {
                gaps.explainedUntil(micros);
            }
        });
        this.tasks = tasks;
        this.exitHold = exitHold;
    }

    @Override
    public Object sqlExecutionEnter(Object queryExecution) {
        return actions.sqlExecutionEnter(queryExecution);
    }

    @Override
    public Object rddScopeEnter(Object rdd) {
        return actions.rddScopeEnter();
    }

    @Override
    public Object jobSubmitEnter(Object sparkContext) {
        return actions.jobSubmitEnter(sparkContext);
    }

    @Override
    public void actionExit(Object token, Throwable error) {
        actions.exit(token, error);
    }

    @Override
    public void listenerBusStarting(Object sparkContext) {
        recordIdentity(sparkContext);
        try {
            Class<?> listenerInterface = Class.forName(SparkNames.LISTENER_INTERFACE, false,
                    sparkContext.getClass().getClassLoader());
            SparkEventListener listener = new SparkEventListener(tracer, budget);
            Object bus = Reflect.get(sparkContext, "listenerBus");
            Reflect.invoke(bus, "addToQueue", new Class<?>[] {listenerInterface, String.class},
                    listener.asSparkListener(listenerInterface), SparkNames.LISTENER_QUEUE);
            listeners.add(listener);
        } catch (Throwable t) {
            AgentLog.problemOnce("spark-listener", "could not add the Spark listener (jobs and stages will be"
                    + " missing from the trace): " + t);
        }
    }

    /**
     * The JVM begins to load the session or context class, on the thread that will drive Spark: Spark's start
     * begins here (loading and initializing Spark's classes takes a second or more), and so does the watch on that
     * thread's time outside actions.
     */
    void sparkClassesLoading() {
        if (!sparkLoading.compareAndSet(false, true)) {
            return;
        }
        long now = Tracer.nowMicros();
        phases.sparkLoadingStarted(now);
        if (SparkPhases.calledFromPython(Thread.currentThread().getStackTrace())) {
            phases.pythonDriverStarted(mainStartedMicros.getAsLong(), now);
        }
        watchDriverThread();
    }

    private synchronized void watchDriverThread() {
        if (driverGaps == null) {
            driverGaps = DriverGapSampler.start(tracer, budget, Thread.currentThread());
        }
    }

    @Override
    public Object contextStartEnter() {
        // Not made current: a constructor that throws has no exit advice, and must leave no stale context behind.
        Subsegment start = tracer.beginChild(tracer.current(), "SparkContext start");
        if (tracer.current() == tracer.root()) {
            phases.beginsWithSparkLoading(start); // no session around it: an RDD job
        }
        return start;
    }

    @Override
    public void contextStartExit(Object token, Object sparkContext) {
        Subsegment start = (Subsegment) token;
        Object version = Reflect.get(sparkContext, "version");
        if (version != null) {
            start.putMetadata("spark", "version", version.toString());
        }
        Object master = Reflect.get(sparkContext, "master");
        if (master != null) {
            start.putMetadata("spark", "master", master.toString());
        }
        tracer.end(start);
        watchDriverThread(); // the plugin route: the agent arrived after Spark's classes loaded
        flushAfterSparksShutdownHook(sparkContext.getClass().getClassLoader());
    }

    @Override
    public Object contextStopEnter(Object sparkContext) {
        if (stopping.get() != null) {
            return null;
        }
        stopping.set(Boolean.TRUE);
        return tracer.beginChild(tracer.current(), "SparkContext stop");
    }

    @Override
    public void contextStopExit(Object token, Throwable error) {
        stopping.remove();
        // The listener queues are drained now: what they did not end is ended here.
        sendPendingWork();
        tracer.end((Subsegment) token, error);
    }

    /** Open jobs and stages, and the summaries of tasks that ran in this JVM (local mode). */
    private void sendPendingWork() {
        for (SparkEventListener listener : listeners) {
            listener.endOpenWork();
        }
        tasks.sendIdle(true);
        DriverGapSampler gaps = driverGaps;
        if (gaps != null) {
            gaps.flush();
        }
    }

    /**
     * Adds {@link #sendPendingWork} to Hadoop's {@code ShutdownHookManager} after Spark's own hook, and holds the
     * agent's exit flush until it has run. Once per JVM; without Hadoop on the class path, stop's exit is all.
     */
    private void flushAfterSparksShutdownHook(ClassLoader sparkLoader) {
        if (!hadoopHookAdded.compareAndSet(false, true)) {
            return;
        }
        try {
            Class<?> manager = Class.forName(SparkNames.HADOOP_SHUTDOWN_HOOK_MANAGER, false, sparkLoader);
            Object instance = manager.getMethod("get").invoke(null);
            final Runnable release = exitHold.get();
            Runnable hook = () -> {
                try {
                    sendPendingWork();
                } catch (Throwable t) {
                    AgentLog.internalError("sending Spark's last jobs and stages at exit", t);
                } finally {
                    release.run();
                }
            };
            try {
                Reflect.invoke(instance, "addShutdownHook", new Class<?>[] {Runnable.class, int.class}, hook,
                        AFTER_SPARK_SHUTDOWN_PRIORITY);
            } catch (Exception e) {
                release.run();
                throw e;
            }
        } catch (ClassNotFoundException e) {
            AgentLog.debug("no Hadoop shutdown hook manager: Spark's last events are sent when stop() returns");
        } catch (Throwable t) {
            AgentLog.problemOnce("spark-exit-hook", "could not add a shutdown hook after Spark's (jobs still"
                    + " running when the JVM exits without stop() may be missing): " + t);
        }
    }

    @Override
    public Object phaseEnter(String method) {
        return phases.enter(method);
    }

    @Override
    public void phaseExit(Object token, Throwable error) {
        phases.exit(token, error);
    }

    @Override
    public Object taskEnter(Object task) {
        return tasks.taskStarted(task);
    }

    @Override
    public void taskExit(Object token, Object task, Throwable error) {
        tasks.taskEnded(token, task, error);
    }

    @Override
    public void pythonEvaluation(Object evaluation) {
        PythonWork python = tasks.pythonWork();
        if (python != null) {
            python.evaluationStarted(evaluation);
        }
    }

    @Override
    public Object pythonComputeEnter(Object runner) {
        // SparkR's runners extend the Python runner; their work is not Python.
        if (SparkNames.isSparkR(runner.getClass().getName())) {
            return null;
        }
        return pythonEnter(true);
    }

    @Override
    public Object pythonReadEnter() {
        return pythonEnter(false);
    }

    private PythonWork pythonEnter(boolean startsEvaluation) {
        PythonWork python = tasks.pythonWork();
        if (python != null) {
            python.enter(startsEvaluation);
        }
        return python;
    }

    @Override
    public void pythonExit(Object token, boolean gotBatch) {
        ((PythonWork) token).exit(gotBatch);
    }

    /** EMR / spark-submit / Glue identity from the SparkConf, on the root segment for search and grouping. */
    private void recordIdentity(Object sparkContext) {
        Object conf = Reflect.get(sparkContext, "getConf");
        Segment root = tracer.root();
        annotateFromConf(root, conf, "spark.app.name", "spark_app_name");
        annotateFromConf(root, conf, "spark.glue.JOB_NAME", "glue_job_name");
        annotateFromConf(root, conf, "spark.glue.JOB_RUN_ID", "glue_job_run_id");
        annotateFromConf(root, conf, "spark.master", "spark_master");
    }

    private static void annotateFromConf(Segment root, Object conf, String key, String annotation) {
        try {
            Object value = Reflect.invoke(conf, "get", new Class<?>[] {String.class, String.class}, key, null);
            if (value != null) {
                root.annotate(annotation, value.toString());
            }
        } catch (Exception e) {
            AgentLog.internalError("reading the SparkConf", e);
        }
    }
}
