package dev.xraybatch.agent.instrument.spark;

import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Entity;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Spark's jobs and stages as subsegments beneath the action that ran them. A {@link Proxy} of Spark's
 * {@code SparkListenerInterface} (a Java interface in 3.3 to 4.0), so the agent compiles against no Spark.
 *
 * <p>Events arrive on the listener bus's own thread, one at a time and possibly after the action returned, so a
 * job is a detached subsegment whose parent is the action named in the job's local properties; its stages are
 * its children, with times, task counts and metrics from the events. Stages a job lists but never runs (their
 * output already existed) appear as skipped. All state is touched by that one thread only.
 */
final class SparkEventListener implements InvocationHandler {
    private static final String SKIPPED = "skipped";

    private final Tracer tracer;
    private final Map<Integer, Job> jobs = new HashMap<>();
    /** Stage id to the running job that lists it: where the stage subsegment goes when it is submitted. */
    private final Map<Integer, Job> jobOfStage = new HashMap<>();
    private final Map<String, Subsegment> stages = new HashMap<>();
    /** Open stage attempt to the job it was submitted under (none for a stage no running job listed). */
    private final Map<String, Job> jobOfOpenStage = new HashMap<>();
    private final Map<String, StageTaskStats> taskStats = new HashMap<>();

    private static final class Job {
        final Subsegment subsegment;
        final Set<Integer> stageIds = new LinkedHashSet<>();
        final Set<Integer> submitted = new LinkedHashSet<>();

        Job(Subsegment subsegment) {
            this.subsegment = subsegment;
        }
    }

    SparkEventListener(Tracer tracer) {
        this.tracer = tracer;
    }

    /** The proxy to register with Spark's listener bus, made in Spark's class loader. */
    Object asSparkListener(Class<?> listenerInterface) {
        return Proxy.newProxyInstance(listenerInterface.getClassLoader(), new Class<?>[] {listenerInterface}, this);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
        String name = method.getName();
        if (args == null || args.length == 0) {
            return "hashCode".equals(name) ? System.identityHashCode(proxy)
                    : "toString".equals(name) ? "xray-batch-agent listener" : null;
        }
        if ("equals".equals(name)) {
            return proxy == args[0];
        }
        try {
            Object event = args[0];
            switch (name) {
                case "onJobStart":
                    jobStarted(event);
                    break;
                case "onJobEnd":
                    jobEnded(event);
                    break;
                case "onStageSubmitted":
                    stageSubmitted(event);
                    break;
                case "onStageCompleted":
                    stageCompleted(Reflect.get(event, "stageInfo"));
                    break;
                case "onTaskEnd":
                    taskEnded(event);
                    break;
                case "onApplicationStart":
                    applicationStarted(event);
                    break;
                default:
                    break;
            }
        } catch (Throwable t) {
            AgentLog.internalError("Spark listener (" + name + ")", t);
        }
        return null;
    }

    private void jobStarted(Object event) {
        int jobId = ((Number) Reflect.get(event, "jobId")).intValue();
        ActionReference action = actionOf(Reflect.get(event, "properties"));
        long start = millisToMicros(Reflect.getLong(event, "time", 0L));
        Subsegment subsegment = action != null
                ? tracer.beginDetached(action.traceId, action.actionId, "job " + jobId, start)
                : tracer.beginDetached(tracer.traceId(), tracer.root().id(), "job " + jobId, start);
        subsegment.putMetadata("spark", "job_id", jobId);
        Job job = new Job(subsegment);
        for (Object stageInfo : Reflect.elements(Reflect.get(event, "stageInfos"))) {
            int stageId = ((Number) Reflect.get(stageInfo, "stageId")).intValue();
            job.stageIds.add(stageId);
            jobOfStage.put(stageId, job);
        }
        jobs.put(jobId, job);
    }

    private void stageSubmitted(Object event) {
        Object info = Reflect.get(event, "stageInfo");
        int stageId = ((Number) Reflect.get(info, "stageId")).intValue();
        int attempt = attemptOf(info);
        Job job = jobOfStage.get(stageId);
        Subsegment stage;
        long start = millisToMicros(longOption(Reflect.get(info, "submissionTime"), System.currentTimeMillis()));
        String name = stageName(stageId, attempt);
        if (job != null) {
            job.submitted.add(stageId);
            stage = tracer.beginChild(job.subsegment, name);
            stage.setStartMicros(start);
        } else {
            ActionReference action = actionOf(Reflect.get(event, "properties"));
            stage = action != null ? tracer.beginDetached(action.traceId, action.actionId, name, start)
                    : tracer.beginDetached(tracer.traceId(), tracer.root().id(), name, start);
        }
        stage.putMetadata("spark", "stage_id", stageId);
        stage.putMetadata("spark", "stage_attempt", attempt);
        stage.putMetadata("spark", "num_tasks", Reflect.getLong(info, "numTasks", 0L));
        Object stageName = Reflect.get(info, "name");
        if (stageName != null) {
            stage.putMetadata("spark", "stage_name", stageName.toString());
        }
        stages.put(stageKey(stageId, attempt), stage);
        if (job != null) {
            jobOfOpenStage.put(stageKey(stageId, attempt), job);
        }
        taskStats.put(stageKey(stageId, attempt), new StageTaskStats());
    }

    private void taskEnded(Object event) {
        Object stageId = Reflect.get(event, "stageId");
        Object attempt = Reflect.get(event, "stageAttemptId");
        if (!(stageId instanceof Number) || !(attempt instanceof Number)) {
            return;
        }
        StageTaskStats stats = taskStats.get(stageKey(((Number) stageId).intValue(), ((Number) attempt).intValue()));
        Object taskInfo = Reflect.get(event, "taskInfo");
        if (stats == null || taskInfo == null) {
            return;
        }
        Object partition = Reflect.get(taskInfo, "partitionId");
        if (!(partition instanceof Number)) {
            partition = Reflect.get(taskInfo, "index");
        }
        stats.taskEnded(Reflect.getLong(taskInfo, "duration", 0L),
                partition instanceof Number ? ((Number) partition).intValue() : -1,
                Boolean.TRUE.equals(Reflect.get(taskInfo, "successful")));
    }

    private void stageCompleted(Object info) {
        int stageId = ((Number) Reflect.get(info, "stageId")).intValue();
        int attempt = attemptOf(info);
        String key = stageKey(stageId, attempt);
        Subsegment stage = stages.remove(key);
        StageTaskStats stats = taskStats.remove(key);
        jobOfOpenStage.remove(key);
        if (stage == null) {
            return;
        }
        stage.setEndMicros(millisToMicros(longOption(Reflect.get(info, "completionTime"),
                System.currentTimeMillis())));
        Map<String, Object> metrics = StageMetrics.read(Reflect.get(info, "taskMetrics"));
        if (!metrics.isEmpty()) {
            stage.putMetadata("spark", "metrics", metrics);
        }
        if (stats != null) {
            Map<String, Object> tasks = stats.summary();
            if (!tasks.isEmpty()) {
                stage.putMetadata("spark", "tasks", tasks);
            }
            if (stats.failed() > 0) {
                stage.putMetadata("spark", "failed_tasks", stats.failed());
            }
        }
        Object reason = Reflect.unwrapOption(Reflect.get(info, "failureReason"));
        tracer.end(stage, reason == null ? null : new StageFailure(firstLine(reason.toString())));
    }

    private void jobEnded(Object event) {
        int jobId = ((Number) Reflect.get(event, "jobId")).intValue();
        Job job = jobs.remove(jobId);
        if (job == null) {
            return;
        }
        long end = millisToMicros(Reflect.getLong(event, "time", System.currentTimeMillis()));
        for (Integer stageId : job.stageIds) {
            if (jobOfStage.get(stageId) == job) {
                jobOfStage.remove(stageId);
            }
            if (!job.submitted.contains(stageId)) {
                Subsegment skipped = tracer.beginChild(job.subsegment, stageName(stageId, 0));
                skipped.setStartMicros(end);
                skipped.setEndMicros(end);
                skipped.putMetadata("spark", "stage_id", stageId);
                skipped.putMetadata("spark", SKIPPED, true);
                tracer.end(skipped);
            }
        }
        // Stages of a failed job may never complete: end them with the job rather than leave them open.
        for (Map.Entry<String, Job> open : new LinkedHashMap<>(jobOfOpenStage).entrySet()) {
            if (open.getValue() == job) {
                jobOfOpenStage.remove(open.getKey());
                taskStats.remove(open.getKey());
                Subsegment stage = stages.remove(open.getKey());
                stage.setEndMicros(end);
                tracer.end(stage);
            }
        }
        job.subsegment.setEndMicros(end);
        Object result = Reflect.get(event, "jobResult");
        Throwable failure = null;
        if (result != null && result.getClass().getName().endsWith("JobFailed")) {
            Object exception = Reflect.get(result, "exception");
            failure = exception instanceof Throwable ? (Throwable) exception : new StageFailure(String.valueOf(result));
        }
        tracer.end(job.subsegment, failure);
    }

    private void applicationStarted(Object event) {
        Entity root = tracer.root();
        Object appName = Reflect.get(event, "appName");
        if (appName != null) {
            root.annotate("spark_app_name", appName.toString());
        }
        Object appId = Reflect.unwrapOption(Reflect.get(event, "appId"));
        if (appId != null) {
            root.annotate("spark_app_id", appId.toString());
        }
    }

    private static ActionReference actionOf(Object properties) {
        return properties instanceof Properties
                ? ActionReference.parse(((Properties) properties).getProperty(SparkNames.ACTION_PROPERTY)) : null;
    }

    private static int attemptOf(Object stageInfo) {
        Object attempt = Reflect.get(stageInfo, "attemptNumber");
        if (!(attempt instanceof Number)) {
            attempt = Reflect.get(stageInfo, "attemptId");
        }
        return attempt instanceof Number ? ((Number) attempt).intValue() : 0;
    }

    private static long longOption(Object option, long fallback) {
        Object value = Reflect.unwrapOption(option);
        return value instanceof Number ? ((Number) value).longValue() : fallback;
    }

    private static String stageName(int stageId, int attempt) {
        return attempt == 0 ? "stage " + stageId : "stage " + stageId + " attempt " + attempt;
    }

    private static String stageKey(int stageId, int attempt) {
        return stageId + "." + attempt;
    }

    private static long millisToMicros(long millis) {
        return millis * 1000L;
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
