package dev.xraybatch.agent.instrument.spark;

import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.util.Iterator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What executors did, linked under the driver's action: one summary subsegment per stage attempt and executor
 * (tasks, total and slowest time with its partition, records, spill), and a full subsegment for each failed
 * task and each task slower than the threshold. The action comes with the task, in the local property the
 * driver set; executors send their documents themselves, in the driver's trace.
 *
 * <p>An executor cannot know when a stage is over, so a summary is sent once no task of its stage has ended for
 * {@link #IDLE_MILLIS}; a later task of the same stage starts a new summary.
 */
final class ExecutorTasks {
    static final long IDLE_MILLIS = 2000L;

    private final Tracer tracer;
    private final long slowTaskMillis;
    private final Map<String, ExecutorStageSummary> open = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService sender;
    private volatile String executorId;

    /** A task as it started; the advice carries it to the exit. */
    static final class TaskRun {
        final ActionReference action;
        final int stageId;
        final int stageAttempt;
        final int partition;
        final long startMicros;

        TaskRun(ActionReference action, int stageId, int stageAttempt, int partition, long startMicros) {
            this.action = action;
            this.stageId = stageId;
            this.stageAttempt = stageAttempt;
            this.partition = partition;
            this.startMicros = startMicros;
        }
    }

    ExecutorTasks(Tracer tracer, long slowTaskMillis) {
        this.tracer = tracer;
        this.slowTaskMillis = slowTaskMillis;
    }

    Object taskStarted(Object task) {
        Object properties = Reflect.get(task, "localProperties");
        if (!(properties instanceof Properties)) {
            return null;
        }
        ActionReference action = ActionReference.parse(
                ((Properties) properties).getProperty(SparkNames.ACTION_PROPERTY));
        if (action == null) {
            return null;
        }
        return new TaskRun(action, intOf(Reflect.get(task, "stageId")), intOf(Reflect.get(task, "stageAttemptId")),
                intOf(Reflect.get(task, "partitionId")), Tracer.nowMicros());
    }

    void taskEnded(Object token, Object task, Throwable error) {
        TaskRun run = (TaskRun) token;
        long endMicros = Tracer.nowMicros();
        long millis = (endMicros - run.startMicros) / 1000L;
        Object metrics = Reflect.path(task, "context", "taskMetrics");
        String executor = executorId(task);
        String key = run.action.actionId + "/" + run.stageId + "." + run.stageAttempt;
        ExecutorStageSummary summary = open.computeIfAbsent(key, k -> new ExecutorStageSummary(run, executor));
        summary.add(run.partition, millis, error != null, metrics);
        if (error != null || millis >= slowTaskMillis) {
            sendTask(run, executor, endMicros, error, metrics);
        }
        ensureSender();
    }

    private void sendTask(TaskRun run, String executor, long endMicros, Throwable error, Object metrics) {
        Subsegment subsegment = tracer.beginDetached(run.action.traceId, run.action.actionId,
                "task " + run.stageId + "." + run.partition, run.startMicros);
        subsegment.putMetadata("spark", "stage_id", run.stageId);
        subsegment.putMetadata("spark", "stage_attempt", run.stageAttempt);
        subsegment.putMetadata("spark", "partition", run.partition);
        subsegment.putMetadata("spark", "executor_id", executor);
        Map<String, Object> values = StageMetrics.read(metrics);
        if (!values.isEmpty()) {
            subsegment.putMetadata("spark", "metrics", values);
        }
        subsegment.setEndMicros(endMicros);
        tracer.end(subsegment, error);
    }

    /** Sends summaries whose stage has gone quiet. Called by the sender thread, and at exit with force. */
    void sendIdle(boolean force) {
        long now = System.currentTimeMillis();
        for (Iterator<Map.Entry<String, ExecutorStageSummary>> it = open.entrySet().iterator(); it.hasNext(); ) {
            ExecutorStageSummary summary = it.next().getValue();
            if (force || now - summary.lastTaskEndMillis() >= IDLE_MILLIS) {
                it.remove();
                summary.send(tracer);
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
            // Summaries still waiting when the executor JVM ends go out with the agent's exit flush.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> sendIdle(true), "xray-batch-spark-summaries-exit"));
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
