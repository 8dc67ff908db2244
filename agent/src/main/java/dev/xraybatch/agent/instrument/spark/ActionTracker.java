package dev.xraybatch.agent.instrument.spark;

import dev.xraybatch.agent.export.RunInfo;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One subsegment per user action on the driver. An action starts at the outermost SQL execution of a thread
 * ({@code SQLExecution$.withNewExecutionId}), or, outside SQL, at the first job an RDD operation submits
 * ({@code runJob}/{@code submitJob}); the outermost {@code RDD.withScope} around it ends it, so {@code rdd.take}'s
 * several jobs stay one action. Nested executions, broadcast and subquery threads (they inherit Spark's
 * execution-id property) and threads already inside an action (they inherit the agent's property) open none.
 *
 * <p>While an action runs, the agent's local property names it; Spark copies it into every job, stage and task,
 * which is how the listener and the executors find their parent. The old values come back on exit.
 */
final class ActionTracker {
    /** What opened an action, and so which exit ends it. */
    private enum Owner { SQL, RDD_SCOPE, JOB_SUBMIT }

    /** An open action: returned as the advice's token when that call's exit ends it. */
    static final class Action {
        final Subsegment subsegment;
        final Object sparkContext;
        final Owner owner;
        final String previousActionProperty;
        final String previousMdcProperty;
        /** A job was submitted inside it (through runJob or submitJob). */
        boolean ranJob;

        Action(Subsegment subsegment, Object sparkContext, Owner owner, String previousActionProperty,
               String previousMdcProperty) {
            this.subsegment = subsegment;
            this.sparkContext = sparkContext;
            this.owner = owner;
            this.previousActionProperty = previousActionProperty;
            this.previousMdcProperty = previousMdcProperty;
        }
    }

    /** Per driver thread: how deep in SQL executions and RDD scopes it is, and its open action. */
    private static final class ThreadState {
        int sqlDepth;
        int rddScopeDepth;
        Action action;
    }

    /** Token for exits that only unwind a depth counter. */
    private static final Object SQL_NESTED = new Object();
    private static final Object RDD_SCOPE_NESTED = new Object();

    /** Leaves room in X-Ray's 50 annotations per trace for the root's and other modules' annotations. */
    private static final int ANNOTATED_ACTIONS = 20;

    private final Tracer tracer;
    private final TraceBudget budget;
    private final AtomicInteger annotatedActions = new AtomicInteger();
    private final ThreadLocal<ThreadState> state = new ThreadLocal<ThreadState>() {
        @Override
        protected ThreadState initialValue() {
            return new ThreadState();
        }
    };

    ActionTracker(Tracer tracer, TraceBudget budget) {
        this.tracer = tracer;
        this.budget = budget;
    }

    Object sqlExecutionEnter(Object queryExecution) {
        ThreadState thread = state.get();
        thread.sqlDepth++;
        if (thread.sqlDepth > 1 || thread.action != null) {
            return SQL_NESTED;
        }
        Object sparkContext = Reflect.path(queryExecution, "sparkSession", "sparkContext");
        if (sparkContext == null || localProperty(sparkContext, SparkNames.ACTION_PROPERTY) != null) {
            return SQL_NESTED;
        }
        Action action = open(sparkContext, Owner.SQL);
        thread.action = action;
        return action;
    }

    Object rddScopeEnter() {
        state.get().rddScopeDepth++;
        return RDD_SCOPE_NESTED;
    }

    Object jobSubmitEnter(Object sparkContext) {
        ThreadState thread = state.get();
        if (thread.action != null) {
            thread.action.ranJob = true;
        }
        if (thread.sqlDepth > 0 || thread.action != null
                || localProperty(sparkContext, SparkNames.SQL_EXECUTION_ID_PROPERTY) != null
                || localProperty(sparkContext, SparkNames.ACTION_PROPERTY) != null) {
            return null;
        }
        if (thread.rddScopeDepth > 0) {
            // Ended by the outermost RDD scope's exit, after any further jobs of the same operation.
            thread.action = open(sparkContext, Owner.RDD_SCOPE);
            return null;
        }
        Action action = open(sparkContext, Owner.JOB_SUBMIT);
        thread.action = action;
        return action;
    }

    void exit(Object token, Throwable error) {
        ThreadState thread = state.get();
        if (token == SQL_NESTED || (token instanceof Action && ((Action) token).owner == Owner.SQL)) {
            thread.sqlDepth = Math.max(0, thread.sqlDepth - 1);
        } else if (token == RDD_SCOPE_NESTED) {
            thread.rddScopeDepth = Math.max(0, thread.rddScopeDepth - 1);
            if (thread.rddScopeDepth == 0 && thread.action != null && thread.action.owner == Owner.RDD_SCOPE) {
                close(thread, thread.action, error);
            }
            return;
        }
        if (token instanceof Action) {
            close(thread, (Action) token, error);
        }
    }

    private Action open(Object sparkContext, Owner owner) {
        CallSite callSite = callSite(sparkContext);
        Subsegment subsegment = tracer.begin(ActionNames.fromCallSite(callSite.shortForm));
        if (callSite.shortForm != null) {
            subsegment.putMetadata("spark", "call_site", callSite.shortForm);
            // X-Ray indexes at most 50 annotations per trace: the first actions get one, so they can be searched.
            if (annotatedActions.incrementAndGet() <= ANNOTATED_ACTIONS) {
                subsegment.annotate("spark_call_site", callSite.shortForm);
            }
        }
        if (callSite.longForm != null) {
            subsegment.putMetadata("spark", "call_stack", callSite.longForm);
        }
        String previousAction = localProperty(sparkContext, SparkNames.ACTION_PROPERTY);
        String previousMdc = localProperty(sparkContext, SparkNames.MDC_TRACE_ID_PROPERTY);
        boolean summarized = budget.isSpent();
        if (summarized) {
            budget.summarizedAction();
        }
        // Jobs and stages (detached, on the listener's thread) name the action: a continuation trace can stub it.
        tracer.shareAsParent(subsegment);
        RunInfo run = tracer.run();
        setLocalProperty(sparkContext, SparkNames.ACTION_PROPERTY, ActionReference.format(subsegment.traceId(),
                subsegment.id(), summarized, run.rootId, run.startMillis, run.windowMillis));
        setLocalProperty(sparkContext, SparkNames.MDC_TRACE_ID_PROPERTY, subsegment.traceId());
        return new Action(subsegment, sparkContext, owner, previousAction, previousMdc);
    }

    private void close(ThreadState thread, Action action, Throwable error) {
        if (thread.action == action) {
            thread.action = null;
        }
        setLocalProperty(action.sparkContext, SparkNames.ACTION_PROPERTY, action.previousActionProperty);
        setLocalProperty(action.sparkContext, SparkNames.MDC_TRACE_ID_PROPERTY, action.previousMdcProperty);
        if (isEmptyConversionToRdd(action, error) && tracer.discard(action.subsegment)) {
            return;
        }
        tracer.end(action.subsegment, error);
    }

    /**
     * Spark 4.0 runs {@code Dataset.rdd} (and so {@code javaRDD}) in a SQL execution of its own that runs no job:
     * not an action. The RDD action that follows is one, and is traced as such.
     */
    private static boolean isEmptyConversionToRdd(Action action, Throwable error) {
        if (action.owner != Owner.SQL || action.ranJob || error != null) {
            return false;
        }
        String name = action.subsegment.name();
        return name.equals("rdd") || name.equals("javaRDD") || name.equals("toJavaRDD");
    }

    /** A call site the job set ({@code setCallSite}, as PySpark does) wins over the stack, as in Spark. */
    private static CallSite callSite(Object sparkContext) {
        String shortForm = localProperty(sparkContext, "callSite.short");
        if (shortForm != null) {
            return new CallSite(shortForm, localProperty(sparkContext, "callSite.long"));
        }
        return CallSite.fromStack(Thread.currentThread().getStackTrace());
    }

    static String localProperty(Object sparkContext, String key) {
        try {
            Object value = Reflect.invoke(sparkContext, "getLocalProperty", new Class<?>[] {String.class}, key);
            return value == null ? null : value.toString();
        } catch (Exception e) {
            AgentLog.internalError("reading a Spark local property", e);
            return null;
        }
    }

    /** A null value removes the property (Spark's own rule). */
    private static void setLocalProperty(Object sparkContext, String key, String value) {
        try {
            Reflect.invoke(sparkContext, "setLocalProperty", new Class<?>[] {String.class, String.class}, key, value);
        } catch (Exception e) {
            AgentLog.internalError("setting a Spark local property", e);
        }
    }
}
