package dev.xraybatch.agent.instrument.spark;

import dev.xraybatch.agent.bootstrap.SparkBridge;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Segment;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

/**
 * The agent's side of {@link SparkBridge}: actions ({@link ActionTracker}), the listener for jobs and stages
 * ({@link SparkEventListener}), Spark's own start and stop phases, the job's identity on the root segment, and
 * executor tasks ({@link ExecutorTasks}).
 */
final class SparkHooks implements SparkBridge.Hooks {
    private final Tracer tracer;
    private final ActionTracker actions;
    private final ExecutorTasks tasks;
    /** {@code stop()} can call {@code stop(int)}; only the outermost call is a phase. */
    private final ThreadLocal<Boolean> stopping = new ThreadLocal<>();

    SparkHooks(Tracer tracer, ExecutorTasks tasks) {
        this.tracer = tracer;
        this.actions = new ActionTracker(tracer);
        this.tasks = tasks;
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
            Object listener = new SparkEventListener(tracer).asSparkListener(listenerInterface);
            Object bus = Reflect.get(sparkContext, "listenerBus");
            Reflect.invoke(bus, "addToQueue", new Class<?>[] {listenerInterface, String.class}, listener,
                    SparkNames.LISTENER_QUEUE);
        } catch (Throwable t) {
            AgentLog.problemOnce("spark-listener", "could not add the Spark listener (jobs and stages will be"
                    + " missing from the trace): " + t);
        }
    }

    @Override
    public Object contextStartEnter() {
        // Not made current: a constructor that throws has no exit advice, and must leave no stale context behind.
        return tracer.beginChild(tracer.current(), "SparkContext start");
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
        // The listener queues are drained now: their job and stage documents are already in the export queue.
        tracer.end((Subsegment) token, error);
    }

    @Override
    public Object taskEnter(Object task) {
        return tasks.taskStarted(task);
    }

    @Override
    public void taskExit(Object token, Object task, Throwable error) {
        tasks.taskEnded(token, task, error);
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
