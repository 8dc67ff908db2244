package dev.xraybatch.agent.instrument.spark.executor;

import dev.xraybatch.agent.instrument.spark.ActionReference;
import dev.xraybatch.agent.instrument.spark.Reflect;
import dev.xraybatch.agent.instrument.spark.SparkNames;
import dev.xraybatch.agent.instrument.spark.StageMetrics;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Kind;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What executors did, linked under the driver's stage: one summary subsegment per stage attempt and executor
 * (tasks, total and slowest time with its partition, records, spill), holding a full subsegment for each failed
 * task and each task slower than the threshold. The action comes with the task, in the local property the
 * driver set; executors send their documents themselves, in the driver's trace. While a task runs its summary is
 * the thread's current entity, so what the task does that is traced lands there too.
 *
 * <p>An executor cannot know when a stage is over, so a summary is sent once none of its tasks runs and none has
 * ended for {@link #IDLE_MILLIS}; a later task of the same stage starts a new summary. What is left at exit is
 * sent before the agent's exit flush, which waits for it.
 */
public final class ExecutorTasks {
    static final long IDLE_MILLIS = 2000L;

    private final Tracer tracer;
    private final long slowTaskMillis;
    private final Supplier<Runnable> exitHold;
    private final ConcurrentHashMap<String, ExecutorStageSummary> open = new ConcurrentHashMap<>();
    /** The traced task running on this thread: Python hooks inside the task find it here. */
    private final ThreadLocal<TaskRun> running = new ThreadLocal<>();
    private volatile ScheduledExecutorService sender;
    private volatile String executorId;

    /** A task as it started; the advice carries it to the exit. */
    static final class TaskRun {
        final ActionReference action;
        final int stageId;
        final int stageAttempt;
        final int partition;
        final long startMicros;
        final ExecutorStageSummary summary;
        final Object previousContext;
        /** Made when the task first runs Python; only the task's thread touches it. */
        PythonWork python;

        TaskRun(ActionReference action, int stageId, int stageAttempt, int partition, long startMicros,
                ExecutorStageSummary summary, Object previousContext) {
            this.action = action;
            this.stageId = stageId;
            this.stageAttempt = stageAttempt;
            this.partition = partition;
            this.startMicros = startMicros;
            this.summary = summary;
            this.previousContext = previousContext;
        }
    }

    /** {@code exitHold} makes the agent's exit flush wait; its result is run once the last summaries are out. */
    public ExecutorTasks(Tracer tracer, long slowTaskMillis, Supplier<Runnable> exitHold) {
        this.tracer = tracer;
        this.slowTaskMillis = slowTaskMillis;
        this.exitHold = exitHold;
    }

    public Object taskStarted(Object task) {
        Object properties = Reflect.get(task, "localProperties");
        if (!(properties instanceof Properties)) {
            return null;
        }
        final ActionReference action = ActionReference.parse(
                ((Properties) properties).getProperty(SparkNames.ACTION_PROPERTY));
        if (action == null) {
            return null;
        }
        if (action.hasRun() && !tracer.hasJoined(action.traceId)) {
            // What tasks do goes into the driver's windows and continuation traces, as the driver's own work does.
            tracer.joinRun(action.traceId, action.rootId, action.startMillis, action.windowMillis);
        }
        final int stageId = intOf(Reflect.get(task, "stageId"));
        final int stageAttempt = intOf(Reflect.get(task, "stageAttemptId"));
        final long startMicros = Tracer.nowMicros();
        final String executor = executorId(task);
        ensureSender();
        // Atomic with sendIdle's removal: a summary that is counting a running task is never sent.
        // Past the trace budget the driver has no stage subsegments: one summary per action and executor.
        String key = action.summarized ? action.actionId : action.actionId + "/" + stageId + "." + stageAttempt;
        ExecutorStageSummary summary = open.compute(key,
                (k, existing) -> {
                    ExecutorStageSummary s = existing != null ? existing
                            : new ExecutorStageSummary(tracer, action, stageId, stageAttempt, executor, startMicros);
                    s.taskStarted();
                    return s;
                });
        Object previous = tracer.attach(summary.subsegment);
        TaskRun run = new TaskRun(action, stageId, stageAttempt, intOf(Reflect.get(task, "partitionId")),
                startMicros, summary, previous);
        running.set(run);
        return run;
    }

    /** The Python work of the traced task running on this thread, made on first use; null on other threads. */
    PythonWork pythonWork() {
        TaskRun run = running.get();
        if (run == null) {
            return null;
        }
        if (run.python == null) {
            run.python = new PythonWork();
        }
        return run.python;
    }

    /** {@code evaluate(...)} of a Python UDF evaluation, on the task's thread: which UDFs, which metrics. */
    public void pythonEvaluation(Object evaluation) {
        PythonWork python = pythonWork();
        if (python != null) {
            python.evaluationStarted(evaluation);
        }
    }

    /** {@code BasePythonRunner.compute} on a task's thread: starts a worker (R runners share the method). */
    public Object pythonComputeEnter(Object runner) {
        // SparkR's runners extend the Python runner; their work is not Python.
        if (SparkNames.isSparkR(runner.getClass().getName())) {
            return null;
        }
        return pythonEnter(true);
    }

    /**
     * {@code ReaderIterator.read} of a Python runner on a task's thread: one batch of results. Called per batch,
     * never per row: it must not allocate.
     */
    public Object pythonReadEnter() {
        return pythonEnter(false);
    }

    private PythonWork pythonEnter(boolean startsEvaluation) {
        PythonWork python = pythonWork();
        if (python != null) {
            python.enter(startsEvaluation);
        }
        return python;
    }

    /** {@code gotBatch}: a {@code read} that returned results. */
    public static void pythonExit(Object token, boolean gotBatch) {
        ((PythonWork) token).exit(gotBatch);
    }

    public void taskEnded(Object token, Object task, Throwable error) {
        TaskRun run = (TaskRun) token;
        running.remove();
        tracer.detach(run.previousContext);
        long endMicros = Tracer.nowMicros();
        long millis = (endMicros - run.startMicros) / 1000L;
        Object metrics = Reflect.path(task, "context", "taskMetrics");
        if (error != null || millis >= slowTaskMillis) {
            sendTask(run, endMicros, error, metrics);
        }
        PythonWork python = run.python != null && run.python.ran() ? run.python : null;
        run.summary.taskEnded(run.partition, millis, error != null, metrics, python);
    }

    private void sendTask(TaskRun run, long endMicros, Throwable error, Object metrics) {
        Subsegment subsegment = tracer.beginChild(run.summary.subsegment, "task " + run.stageId + "." + run.partition);
        subsegment.setKind(Kind.TASKS);
        subsegment.setStartMicros(run.startMicros);
        subsegment.putMetadata("spark", "partition", run.partition);
        Map<String, Object> values = StageMetrics.read(metrics);
        if (!values.isEmpty()) {
            subsegment.putMetadata("spark", "metrics", values);
        }
        if (run.python != null && run.python.ran()) {
            sendPython(subsegment, run.python);
        }
        subsegment.setEndMicros(endMicros);
        tracer.end(subsegment, error);
    }

    /**
     * The task's Python work as one subsegment: from the first call into the Python runner to the last result
     * read; its {@code python_ms} is the time the task spent inside the runner, the rest went to Spark's own work.
     */
    private void sendPython(Subsegment task, PythonWork python) {
        Subsegment subsegment = tracer.beginChild(task, python.udfNames().isEmpty() ? "python" : "python udf");
        subsegment.setKind(Kind.TASKS);
        subsegment.setStartMicros(python.startMicros());
        subsegment.putMetadata("spark", "python", python.describe());
        subsegment.setEndMicros(python.endMicros());
        tracer.end(subsegment);
    }

    /** Sends summaries whose stage has gone quiet. Called by the sender thread, and at exit with force. */
    public void sendIdle(boolean force) {
        final long now = System.currentTimeMillis();
        for (String key : open.keySet()) {
            final ExecutorStageSummary[] idle = new ExecutorStageSummary[1];
            open.computeIfPresent(key, (k, summary) -> {
                if (force || summary.isIdle(now, IDLE_MILLIS)) {
                    idle[0] = summary;
                    return null;
                }
                return summary;
            });
            if (idle[0] != null) {
                idle[0].send(tracer);
            }
        }
    }

    private void ensureSender() {
        if (sender != null) {
            return;
        }
        synchronized (this) {
            if (sender != null) {
                return;
            }
            ScheduledExecutorService service = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "xray-batch-spark-executor-summaries");
                thread.setDaemon(true);
                return thread;
            });
            service.scheduleWithFixedDelay(() -> {
                try {
                    sendIdle(false);
                } catch (Throwable t) {
                    AgentLog.internalError("Spark executor summaries", t);
                }
            }, IDLE_MILLIS / 2, IDLE_MILLIS / 2, TimeUnit.MILLISECONDS);
            sender = service;
            // JVM shutdown hooks run in no order: the agent's exit flush waits until these summaries are out.
            final Runnable release = exitHold.get();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    sendIdle(true);
                } finally {
                    release.run();
                }
            }, "xray-batch-spark-summaries-exit"));
        }
    }

    private String executorId(Object task) {
        String id = executorId;
        if (id == null) {
            try {
                Class<?> sparkEnv = Class.forName(SparkNames.SPARK + ".SparkEnv", false,
                        task.getClass().getClassLoader());
                Object env = sparkEnv.getMethod("get").invoke(null);
                Object value = Reflect.get(env, "executorId");
                id = value == null ? "unknown" : value.toString();
            } catch (Exception e) {
                id = "unknown";
            }
            executorId = id;
        }
        return id;
    }

    private static int intOf(Object value) {
        Object unwrapped = Reflect.unwrapOption(value);
        return unwrapped instanceof Number ? ((Number) unwrapped).intValue() : -1;
    }
}
