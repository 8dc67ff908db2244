package dev.xraybatch.agent.instrument.spark.driver;

import dev.xraybatch.agent.instrument.spark.ActionReference;
import dev.xraybatch.agent.instrument.spark.Reflect;
import dev.xraybatch.agent.instrument.spark.SparkNames;
import dev.xraybatch.agent.instrument.spark.StageMetrics;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Entity;
import dev.xraybatch.agent.trace.Kind;
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
 * {@code SparkListenerInterface} (a Java interface in 3.3 to 4.2), so the agent compiles against no Spark.
 *
 * <p>Events arrive on the listener bus's own thread, one at a time and possibly after the action returned, so a
 * job is a detached subsegment whose parent is the action named in the job's local properties; its stages are
 * its children, with times, task counts and metrics from the events. Stages a job lists but never runs (their
 * output already existed) appear as skipped. All state is touched by that one thread only.
 */
final class SparkEventListener implements InvocationHandler {
    private static final String SKIPPED = "skipped";

    private final Tracer tracer;
    private final TraceBudget budget;
    private final Map<Integer, Job> jobs = new HashMap<>();
    /** Past the budget: summaries by action id, and the running jobs and open stage attempts they count. */
    private final Map<String, SummarizedAction> summarized = new LinkedHashMap<>();
    private final Map<Integer, SummarizedAction> summarizedJobs = new HashMap<>();
    private final Map<String, SummarizedAction> summarizedStages = new HashMap<>();
    /** Stage id to the running job that lists it: where the stage subsegment goes when it is submitted. */
    private final Map<Integer, Job> jobOfStage = new HashMap<>();
    private final Map<String, Subsegment> stages = new HashMap<>();
    /** Open stage attempt to the job it was submitted under (none for a stage no running job listed). */
    private final Map<String, Job> jobOfOpenStage = new HashMap<>();
    private final Map<String, StageTaskStats> taskStats = new HashMap<>();

    private static final class Job {
        final Subsegment subsegment;
        final ActionReference action;
        /** For a job no action of the driver's holds: the action made for it, from its call site. */
        Subsegment inferredAction;
        final Set<Integer> stageIds = new LinkedHashSet<>();
        final Set<Integer> submitted = new LinkedHashSet<>();

        Job(Subsegment subsegment, ActionReference action) {
            this.subsegment = subsegment;
            this.action = action;
        }
    }

    SparkEventListener(Tracer tracer, TraceBudget budget) {
        this.tracer = tracer;
        this.budget = budget;
    }

    /** The proxy to register with Spark's listener bus, made in Spark's class loader. */
    Object asSparkListener(Class<?> listenerInterface) {
        return Proxy.newProxyInstance(listenerInterface.getClassLoader(), new Class<?>[] {listenerInterface}, this);
    }

    /** Synchronized with {@link #endOpenWork}, which an exit hook may call while the bus still delivers. */
    @Override
    public synchronized Object invoke(Object proxy, Method method, Object[] args) {
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
        if (action != null && action.summarized) {
            summarizedJobStarted(jobId, action, start, event);
            return;
        }
        Subsegment inferred = null;
        Subsegment subsegment;
        if (action != null) {
            subsegment = tracer.beginDetached(action.traceId, action.actionId, "job " + jobId, start);
        } else {
            // No action of the driver's ran it (a thread the agent does not see): it still gets one, named as the
            // Spark UI names the job, so that no job hangs under the root alone.
            inferred = tracer.beginDetached(tracer.traceId(), tracer.root().id(), inferredActionName(event), start);
            inferred.putMetadata("spark", "action_inferred_from_job", jobId);
            subsegment = tracer.beginChild(inferred, "job " + jobId);
            subsegment.setStartMicros(start);
        }
        subsegment.setKind(Kind.SPARK_JOB);
        subsegment.putMetadata("spark", "job_id", jobId);
        Job job = new Job(subsegment, action);
        job.inferredAction = inferred;
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
        String key = stageKey(stageId, attempt);
        SummarizedAction summary = job == null ? summarizedOf(Reflect.get(event, "properties")) : null;
        if (summary != null) {
            summary.stageSubmitted();
            summarizedStages.put(key, summary);
            budget.summarizedStage();
            return;
        }
        // The properties tasks of this stage carry: executors derive the stage's id from the same action.
        ActionReference action = actionOf(Reflect.get(event, "properties"));
        if (action == null && job != null) {
            action = job.action;
        }
        Subsegment stage;
        long start = millisToMicros(longOption(Reflect.get(info, "submissionTime"), System.currentTimeMillis()));
        String name = stageName(stageId, attempt);
        if (job != null) {
            job.submitted.add(stageId);
            stage = tracer.beginChild(job.subsegment, name);
            stage.setStartMicros(start);
        } else {
            stage = action != null ? tracer.beginDetached(action.traceId, action.actionId, name, start)
                    : tracer.beginDetached(tracer.traceId(), tracer.root().id(), name, start);
        }
        if (action != null) {
            tracer.assignId(stage, action.stageSubsegmentId(stageId, attempt));
        }
        stage.setKind(Kind.SPARK_STAGE);
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
        String key = stageKey(((Number) stageId).intValue(), ((Number) attempt).intValue());
        StageTaskStats stats = taskStats.get(key);
        Object taskInfo = Reflect.get(event, "taskInfo");
        SummarizedAction summary = summarizedStages.get(key);
        if (summary != null && taskInfo != null) {
            summary.taskEnded(Boolean.TRUE.equals(Reflect.get(taskInfo, "successful")));
            return;
        }
        if (stats == null || taskInfo == null) {
            return;
        }
        Object partition = Reflect.get(taskInfo, "partitionId");
        if (!(partition instanceof Number)) {
            partition = Reflect.get(taskInfo, "index");
        }
        Object executor = Reflect.get(taskInfo, "executorId");
        stats.taskEnded(executor == null ? "" : executor.toString(), Reflect.getLong(taskInfo, "duration", 0L),
                partition instanceof Number ? ((Number) partition).intValue() : -1,
                Boolean.TRUE.equals(Reflect.get(taskInfo, "successful")));
    }

    private void stageCompleted(Object info) {
        int stageId = ((Number) Reflect.get(info, "stageId")).intValue();
        int attempt = attemptOf(info);
        String key = stageKey(stageId, attempt);
        Object reason = Reflect.unwrapOption(Reflect.get(info, "failureReason"));
        SummarizedAction summary = summarizedStages.remove(key);
        if (summary != null) {
            summary.stageCompleted(StageMetrics.read(Reflect.get(info, "taskMetrics")), reason != null);
            return;
        }
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
            // Each other executor JVM that ran tasks of it sends a summary document into the trace.
            budget.chargeExecutorSummaries(stats.remoteExecutors());
        }
        tracer.end(stage, reason == null ? null : new StageFailure(firstLine(reason.toString())));
    }

    private void jobEnded(Object event) {
        int jobId = ((Number) Reflect.get(event, "jobId")).intValue();
        long end = millisToMicros(Reflect.getLong(event, "time", System.currentTimeMillis()));
        Object result = Reflect.get(event, "jobResult");
        boolean failed = result != null && result.getClass().getName().endsWith("JobFailed");
        SummarizedAction summary = summarizedJobs.remove(jobId);
        if (summary != null) {
            summary.jobEnded(end, failed);
            return;
        }
        Job job = jobs.remove(jobId);
        if (job == null) {
            return;
        }
        for (Integer stageId : job.stageIds) {
            if (jobOfStage.get(stageId) == job) {
                jobOfStage.remove(stageId);
            }
            if (!job.submitted.contains(stageId)) {
                Subsegment skipped = tracer.beginChild(job.subsegment, stageName(stageId, 0));
                skipped.setKind(Kind.SPARK_STAGE);
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
        Throwable failure = null;
        if (failed) {
            Object exception = Reflect.get(result, "exception");
            failure = exception instanceof Throwable ? (Throwable) exception : new StageFailure(String.valueOf(result));
        }
        tracer.end(job.subsegment, failure);
        if (job.inferredAction != null) {
            job.inferredAction.setEndMicros(end);
            tracer.end(job.inferredAction, failure);
        }
    }

    /**
     * Ends the stages and jobs still open once the context has stopped (their end events never came: a job
     * cancelled by the stop), so their documents go out before the agent's exit flush.
     */
    synchronized void endOpenWork() {
        long now = Tracer.nowMicros();
        for (Subsegment stage : stages.values()) {
            endedByStop(stage, now);
        }
        for (Job job : jobs.values()) {
            endedByStop(job.subsegment, now);
            if (job.inferredAction != null) {
                endedByStop(job.inferredAction, now);
            }
        }
        for (SummarizedAction summary : summarized.values()) {
            summary.send(tracer);
        }
        summarized.clear();
        summarizedJobs.clear();
        summarizedStages.clear();
        stages.clear();
        jobs.clear();
        jobOfStage.clear();
        jobOfOpenStage.clear();
        taskStats.clear();
    }

    private void endedByStop(Subsegment subsegment, long endMicros) {
        subsegment.putMetadata("spark", "ended_by_stop", true);
        subsegment.setEndMicros(Math.max(endMicros, subsegment.startMicros()));
        tracer.end(subsegment);
    }

    /** A job of an action past the budget: counted into the action's summary, with the stages it lists. */
    private void summarizedJobStarted(int jobId, ActionReference action, long startMicros, Object event) {
        // Summaries of other actions whose jobs all ended are complete enough to send.
        for (java.util.Iterator<Map.Entry<String, SummarizedAction>> it = summarized.entrySet().iterator();
             it.hasNext(); ) {
            Map.Entry<String, SummarizedAction> other = it.next();
            if (!other.getKey().equals(action.actionId) && other.getValue().isIdle()) {
                it.remove();
                other.getValue().send(tracer);
            }
        }
        SummarizedAction summary = summarized.get(action.actionId);
        if (summary == null) {
            summary = new SummarizedAction(tracer, action, startMicros);
            summarized.put(action.actionId, summary);
        }
        summary.jobStarted();
        summarizedJobs.put(jobId, summary);
        budget.summarizedJob();
    }

    private SummarizedAction summarizedOf(Object properties) {
        ActionReference action = actionOf(properties);
        return action != null && action.summarized ? summarized.get(action.actionId) : null;
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

    /** The job's call site as the Spark UI shows it: the one set on the thread, else its result stage's name. */
    private static String inferredActionName(Object jobStart) {
        Object properties = Reflect.get(jobStart, "properties");
        String callSite = properties instanceof Properties
                ? ((Properties) properties).getProperty(SparkNames.CALL_SITE_SHORT) : null;
        if (callSite == null) {
            int resultStage = -1;
            for (Object stageInfo : Reflect.elements(Reflect.get(jobStart, "stageInfos"))) {
                Object id = Reflect.get(stageInfo, "stageId");
                Object name = Reflect.get(stageInfo, "name");
                if (id instanceof Number && ((Number) id).intValue() > resultStage && name != null) {
                    resultStage = ((Number) id).intValue();
                    callSite = name.toString();
                }
            }
        }
        return ActionNames.callSiteName(callSite);
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
