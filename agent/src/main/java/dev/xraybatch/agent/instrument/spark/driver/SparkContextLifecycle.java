package dev.xraybatch.agent.instrument.spark.driver;

import dev.xraybatch.agent.gaps.GapSampler;
import dev.xraybatch.agent.gaps.MainThreadGaps;
import dev.xraybatch.agent.instrument.spark.Reflect;
import dev.xraybatch.agent.instrument.spark.SparkNames;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Segment;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.io.File;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The driver's SparkContext from start to stop: adds the listener for jobs and stages ({@link SparkEventListener})
 * when the listener bus starts, records Spark's own start and stop phases and the job's identity on the root
 * segment, watches the driver thread's time between actions, puts the agent's Python module on a Python driver's
 * path, and owns the {@link ActionTracker} and {@link SparkPhases} that {@code SparkInstrumentation} routes hooks to.
 *
 * <p>Every way a driver ends sends what the listener still holds: after {@code SparkContext.stop} returns (it
 * drains the listener queues first), and, when the job never stops the context (or ends with
 * {@code System.exit}, as PySpark's gateway does), from a hook in Hadoop's shutdown hook manager that runs after
 * Spark's own, which stops the context. The agent's exit flush waits for that hook.
 */
public final class SparkContextLifecycle {
    /** Hadoop runs higher priorities first; Spark's hook (which stops the context) has 40, file systems 10. */
    static final int AFTER_SPARK_SHUTDOWN_PRIORITY = 35;

    private final Tracer tracer;
    private final TraceBudget budget;
    private final ActionTracker actions;
    private final SparkPhases phases;
    /** Sends the summaries of tasks that ran in this JVM (local mode): {@code executor/ExecutorTasks}' part. */
    private final Runnable sendLocalTasks;
    private final Supplier<Runnable> exitHold;
    private final List<SparkEventListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean hadoopHookAdded = new AtomicBoolean();
    private final AtomicBoolean sparkLoading = new AtomicBoolean();
    private volatile DriverGapSampler driverGaps;
    /** The job's main thread's sampler, which samples a JVM driver on that thread too: one sampler per thread. */
    private final MainThreadGaps mainThreadGaps;
    /** That sampler, once the driver's thread turned out to be the main thread. */
    private volatile GapSampler mainThreadDriver;
    private final LongSupplier mainStartedMicros;
    private final LongSupplier jobEndingMicros;
    /** {@code stop()} can call {@code stop(int)}; only the outermost call is a phase. */
    private final ThreadLocal<Boolean> stopping = new ThreadLocal<>();
    /** The driver's running SparkContext, for calls from Python, which name none. */
    private volatile Object sparkContext;
    /** The agent's jar, whose Python module joins a Python driver's path; null: not added. */
    private final File agentJar;
    private volatile File pythonModuleJar;
    private final AtomicBoolean pythonModuleLooked = new AtomicBoolean();
    /** The root is named after the launcher's main class (spark-submit): the application's name is better. */
    private final boolean rootNamedByLauncher;
    private final PythonDriver python;
    private final AtomicBoolean pythonStartRecorded = new AtomicBoolean();
    /** When the Python driver program's interpreter started, as its module said; 0 unknown. */
    private volatile long pythonInterpreterStartMicros;

    public SparkContextLifecycle(Tracer tracer, Runnable sendLocalTasks, Supplier<Runnable> exitHold,
                                 LongSupplier mainStartedMicros, LongSupplier jobEndingMicros, File agentJar,
                                 boolean rootNamedByLauncher, MainThreadGaps mainThreadGaps) {
        this.mainThreadGaps = mainThreadGaps;
        this.mainStartedMicros = mainStartedMicros;
        this.jobEndingMicros = jobEndingMicros;
        this.agentJar = agentJar;
        this.rootNamedByLauncher = rootNamedByLauncher;
        this.tracer = tracer;
        this.budget = new TraceBudget(tracer);
        this.actions = new ActionTracker(tracer, budget);
        this.phases = new SparkPhases(tracer, this::explained);
        this.sendLocalTasks = sendLocalTasks;
        this.exitHold = exitHold;
        this.python = new PythonDriver(tracer, actions, () -> sparkContext, (started, version, pyspark) -> {
            pythonInterpreterStartMicros = started;
            watchDriverThread(Thread.currentThread(), true);
        });
    }

    /**
     * Time of the watched driver thread that a subsegment explains without having been its current one (a
     * constructor's phase, which cannot be made current: a throwing constructor has no exit advice).
     */
    private void explained(long fromMicros, long toMicros, String byName) {
        DriverGapSampler gaps = driverGaps;
        if (gaps != null && gaps.thread() == Thread.currentThread()) {
            gaps.explained(fromMicros, toMicros, byName);
        }
        GapSampler main = mainThreadDriver;
        if (main != null && main.thread() == Thread.currentThread()) {
            main.explained(fromMicros, toMicros, byName);
        }
    }

    /** The hooks the agent's Python module calls (through {@code PythonBridge}). */
    public PythonDriver python() {
        return python;
    }

    public ActionTracker actions() {
        return actions;
    }

    public SparkPhases phases() {
        return phases;
    }

    /**
     * spark-submit's PythonRunner starts the Python driver program with this path: the agent's jar goes first, so
     * that its {@code sitecustomize} turns the Python module on (actions named by their Python line) and
     * {@code import xray_batch} works. Other callers (executors' Python workers) get the path unchanged.
     */
    public String pythonPath(String merged) {
        if (agentJar == null || !calledBy(Thread.currentThread().getStackTrace(),
                SparkNames.PYTHON_RUNNER_MODULE, "main")) {
            return merged;
        }
        if (pythonModuleLooked.compareAndSet(false, true)) {
            pythonModuleJar = PythonModule.in(agentJar);
        }
        if (pythonModuleJar == null) {
            return merged;
        }
        String jar = pythonModuleJar.getAbsolutePath();
        AgentLog.debug("the Python driver's path begins with the agent's jar: " + jar);
        return merged.isEmpty() ? jar : jar + File.pathSeparator + merged;
    }

    private static boolean calledBy(StackTraceElement[] stack, String className, String method) {
        for (StackTraceElement frame : stack) {
            if (frame.getClassName().equals(className) && frame.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }

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
    public void sparkClassesLoading() {
        // Before main the JVM is verifying the main class, which loads the classes it names: not Spark's start.
        if (mainStartedMicros.getAsLong() == 0L || !sparkLoading.compareAndSet(false, true)) {
            return;
        }
        long now = Tracer.nowMicros();
        StackTraceElement[] stack = Thread.currentThread().getStackTrace();
        if (SparkPhases.calledFromPython(stack)) {
            phases.sparkLoadingStarted(now);
            pythonCallsSpark(now);
        } else if (!SparkPhases.launchesPython(stack)) {
            phases.sparkLoadingStarted(now);
            watchDriverThread(Thread.currentThread(), false);
        }
        // Else spark-submit's PythonRunner loads Spark's classes while it starts the Python program, on a thread
        // that then only waits for it: the driver's work comes later, through Py4J.
    }

    /**
     * Spark's first use from Python (through Py4J): Python's start is over, and the Py4J thread serving the
     * program is the driver's thread from now on.
     */
    private void pythonCallsSpark(long now) {
        if (pythonStartRecorded.compareAndSet(false, true)) {
            phases.pythonDriverStarted(mainStartedMicros.getAsLong(), pythonStartEnd(now, driverGaps),
                    pythonInterpreterStartMicros);
        }
        watchDriverThread(Thread.currentThread(), true);
    }

    /**
     * Python's start ends at its first use of Spark, or earlier where the watch on the Python driver's thread began
     * (the program connected to the agent inside PySpark's SparkContext set-up, before Spark's classes load): the
     * sampler explains the time from there, so the phase ends where the sampled time can begin and the two never
     * overlap, however long that set-up takes on a busy machine.
     */
    static long pythonStartEnd(long firstSparkCallMicros, DriverGapSampler watching) {
        if (watching == null || !watching.isPython()) {
            return firstSparkCallMicros;
        }
        return Math.min(firstSparkCallMicros, watching.watchedSinceMicros());
    }

    /**
     * Watches {@code thread}'s time outside subsegments. The first thread wins, except that the Py4J thread of a
     * Python driver program replaces a JVM thread: in PySpark the JVM's own threads only wait for Python.
     */
    private synchronized void watchDriverThread(Thread thread, boolean servesPython) {
        if (!servesPython && driverGaps == null) {
            GapSampler main = mainThreadGaps.samplerOf(thread);
            if (main != null) {
                mainThreadDriver = main; // a JVM driver on the main thread: already sampled, named Spark's way
                return;
            }
        }
        if (mainThreadDriver != null && !servesPython) {
            return;
        }
        // The tracer watches one thread: the main thread's sampler gives its watch to the driver's.
        mainThreadDriver = null;
        mainThreadGaps.handOver(!servesPython);
        DriverGapSampler current = driverGaps;
        if (current != null && (current.thread() == thread || current.isPython() || !servesPython)) {
            return;
        }
        if (current != null) {
            current.stop();
        }
        driverGaps = DriverGapSampler.start(tracer, budget, thread, servesPython, jobEndingMicros);
    }

    public Object contextStartEnter() {
        if (SparkPhases.calledFromPython(Thread.currentThread().getStackTrace())) {
            pythonCallsSpark(Tracer.nowMicros());
        }
        // Not made current: a constructor that throws has no exit advice, and must leave no stale context behind.
        Subsegment start = tracer.beginChild(tracer.current(), "SparkContext start");
        if (tracer.current() == tracer.root()) {
            phases.beginsWithSparkLoading(start); // no session around it: an RDD job
        }
        return start;
    }

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
        explained(start.startMicros(), start.endMicros(), start.name());
        this.sparkContext = sparkContext;
        // The plugin route: the agent arrived after Spark's classes loaded, in the constructor.
        watchDriverThread(Thread.currentThread(), SparkPhases.calledFromPython(Thread.currentThread().getStackTrace()));
        flushAfterSparksShutdownHook(sparkContext.getClass().getClassLoader());
    }

    public Object contextStopEnter(Object sparkContext) {
        if (stopping.get() != null) {
            return null;
        }
        stopping.set(Boolean.TRUE);
        return tracer.beginChild(tracer.current(), "SparkContext stop");
    }

    public void contextStopExit(Object token, Throwable error) {
        stopping.remove();
        // The listener queues are drained now: what they did not end is ended here.
        sendPendingWork(false);
        Subsegment stop = (Subsegment) token;
        tracer.end(stop, error);
        explained(stop.startMicros(), stop.endMicros(), stop.name());
    }

    /** Open jobs and stages, and the summaries of tasks that ran in this JVM (local mode). */
    private void sendPendingWork(boolean jvmExiting) {
        actions.endPendingConversions();
        for (SparkEventListener listener : listeners) {
            listener.endOpenWork();
        }
        sendLocalTasks.run();
        DriverGapSampler gaps = driverGaps;
        if (gaps != null) {
            gaps.flush(jvmExiting);
        }
        if (jvmExiting && mainThreadDriver != null) {
            mainThreadGaps.jobEnded(); // the main thread's sampler goes on after stop(): the job's code may too
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
                    sendPendingWork(true);
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

    /** EMR / spark-submit / Glue identity from the SparkConf, on the root segment for search and grouping. */
    private void recordIdentity(Object sparkContext) {
        Object conf = Reflect.get(sparkContext, "getConf");
        Segment root = tracer.root();
        if (rootNamedByLauncher) {
            // spark-submit, PythonRunner, YARN's ApplicationMaster: the application is what the user named.
            Object appName = confValue(conf, "spark.app.name");
            if (appName != null && !appName.toString().trim().isEmpty()) {
                root.setName(appName.toString());
            }
        }
        annotateFromConf(root, conf, "spark.app.name", "spark_app_name");
        annotateFromConf(root, conf, "spark.glue.JOB_NAME", "glue_job_name");
        annotateFromConf(root, conf, "spark.glue.JOB_RUN_ID", "glue_job_run_id");
        annotateFromConf(root, conf, "spark.master", "spark_master");
    }

    private static void annotateFromConf(Segment root, Object conf, String key, String annotation) {
        Object value = confValue(conf, key);
        if (value != null) {
            root.annotate(annotation, value.toString());
        }
    }

    private static Object confValue(Object conf, String key) {
        try {
            return Reflect.invoke(conf, "get", new Class<?>[] {String.class, String.class}, key, null);
        } catch (Exception e) {
            AgentLog.internalError("reading the SparkConf", e);
            return null;
        }
    }
}
