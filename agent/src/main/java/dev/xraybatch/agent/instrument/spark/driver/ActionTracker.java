package dev.xraybatch.agent.instrument.spark.driver;

import dev.xraybatch.agent.instrument.spark.ActionReference;
import dev.xraybatch.agent.instrument.spark.Reflect;
import dev.xraybatch.agent.instrument.spark.SparkNames;
import dev.xraybatch.agent.export.RunInfo;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One subsegment per user action on the driver. An action starts at the outermost of:
 * <ul>
 *   <li>a PySpark call the user made, as the agent's Python module reports it ({@link #pythonEnter}): everything
 *   the call runs in the JVM, over as many Py4J calls as it takes, is one action named by its Python line;</li>
 *   <li>a SQL execution ({@code SQLExecution$.withNewExecutionId});</li>
 *   <li>outside SQL, the first job an RDD operation submits ({@code runJob}, {@code submitJob},
 *   {@code submitMapStage}); the outermost {@code RDD.withScope} around it ends it, so {@code rdd.take}'s several
 *   jobs stay one action.</li>
 * </ul>
 * Nested executions, broadcast and subquery threads (they inherit Spark's execution-id property) and threads
 * already inside an action (they inherit the agent's property) open none.
 *
 * <p>A Dataset's conversion to an RDD ({@code rdd}, {@code javaRDD}, PySpark's {@code javaToPython}) is Spark's
 * own step towards the action that follows, but it can run jobs (a sort's range sampling, AQE's map stages): its
 * jobs are held in an action that the next action on the thread takes over when it follows at once from the same
 * place ({@code df.orderBy(c).rdd.foreach(f)} in Scala, {@code df.foreach(f)} in PySpark without the module). One
 * that is not followed so stays an action of its own, named {@code rdd}.
 *
 * <p>While an action runs, the agent's local property names it; Spark copies it into every job, stage and task,
 * which is how the listener and the executors find their parent. The old values come back on exit.
 */
public final class ActionTracker {
    /** What opened an action, and so which exit ends it. */
    enum Owner { SQL, RDD_SCOPE, JOB_SUBMIT, PYTHON, CONVERSION }

    /** A conversion's jobs join the next action that begins within this time of its end. */
    static final long CONVERSION_JOINS_WITHIN_MICROS = 1_000_000L;
    /** A Python call that ran no Spark work and returned faster than this explained nothing: not kept. */
    static final long EMPTY_PYTHON_CALL_MICROS = 100_000L;

    /** An open action: returned as the advice's token when that call's exit ends it. */
    static final class Action {
        final Subsegment subsegment;
        final Object sparkContext;
        /** Changes once: a conversion taken over by the action that follows it. */
        Owner owner;
        /** Where the user's code called it ({@code Job.scala:10}); null from Python without the module. */
        String location;
        /** The action alone ({@code count}), whatever the subsegment is named. */
        String bareAction;
        /** Carries the {@code spark_action} annotation (the first actions of the trace do). */
        boolean annotated;
        final String previousActionProperty;
        final String previousMdcProperty;
        /** The thread's context before the action became current; null while the action is not current. */
        Object previousContext;
        boolean current;
        /** Spark's call site as it was before a Python call set it (PYTHON only). */
        String previousCallSiteShort;
        String previousCallSiteLong;
        /** A job or SQL execution ran inside it on this thread. */
        boolean ranSparkWork;
        /** When a conversion's call returned: the action's end unless the next action takes it over. */
        long conversionEndedMicros;
        /** What the last failing Spark call inside a Python call threw: the Java side of the Python error. */
        Throwable jvmError;

        Action(Subsegment subsegment, Object sparkContext, Owner owner, String location,
               String previousActionProperty, String previousMdcProperty) {
            this.subsegment = subsegment;
            this.sparkContext = sparkContext;
            this.owner = owner;
            this.location = location;
            this.previousActionProperty = previousActionProperty;
            this.previousMdcProperty = previousMdcProperty;
        }
    }

    /** Per driver thread: how deep in SQL executions, RDD scopes and conversions it is, and its actions. */
    private static final class ThreadState {
        int sqlDepth;
        int rddScopeDepth;
        int conversionDepth;
        Action action;
        /** A conversion that ran jobs, waiting for the action that follows it. */
        Action pendingConversion;
        /** Glue's Python write in progress: where in the Python program it was called, for its action's name. */
        CallSite glueCallSite;
    }

    /** Tokens for exits that only unwind a depth counter. */
    private static final Object SQL_NESTED = new Object();
    private static final Object RDD_SCOPE_NESTED = new Object();
    private static final Object CONVERSION_NESTED = new Object();

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
    /** Every pending conversion, so that stopping the context ends those no action took over. */
    private final Set<Action> pending = ConcurrentHashMap.newKeySet();

    ActionTracker(Tracer tracer, TraceBudget budget) {
        this.tracer = tracer;
        this.budget = budget;
    }

    public Object sqlExecutionEnter(Object queryExecution) {
        ThreadState thread = state.get();
        thread.sqlDepth++;
        if (thread.action != null) {
            thread.action.ranSparkWork = true;
        }
        if (thread.sqlDepth > 1 || thread.action != null) {
            return SQL_NESTED;
        }
        Object sparkContext = Reflect.path(queryExecution, "sparkSession", "sparkContext");
        if (sparkContext == null || localProperty(sparkContext, SparkNames.ACTION_PROPERTY) != null) {
            return SQL_NESTED;
        }
        Action action = open(thread, sparkContext, Owner.SQL, callSite(sparkContext));
        thread.action = action;
        return action;
    }

    public Object rddScopeEnter() {
        state.get().rddScopeDepth++;
        return RDD_SCOPE_NESTED;
    }

    /** Glue's {@code pyWriteDynamicFrame}: an RDD scope whose action is named by the Python line Glue passes. */
    public Object glueWriteEnter(String pythonTraceback) {
        ThreadState thread = state.get();
        if (thread.rddScopeDepth == 0 && thread.action == null) {
            thread.glueCallSite = CallSite.fromPythonTraceback("pyWriteDynamicFrame", pythonTraceback);
        }
        thread.rddScopeDepth++;
        return RDD_SCOPE_NESTED;
    }

    /** A Dataset becomes an RDD ({@code rdd}, {@code javaRDD}, {@code toJavaRDD}, {@code javaToPython}). */
    public Object conversionEnter() {
        state.get().conversionDepth++;
        return CONVERSION_NESTED;
    }

    public Object jobSubmitEnter(Object sparkContext) {
        ThreadState thread = state.get();
        if (thread.action != null) {
            thread.action.ranSparkWork = true;
        }
        if (thread.sqlDepth > 0 || thread.action != null
                || localProperty(sparkContext, SparkNames.SQL_EXECUTION_ID_PROPERTY) != null
                || localProperty(sparkContext, SparkNames.ACTION_PROPERTY) != null) {
            return null;
        }
        if (thread.conversionDepth > 0) {
            // Ended (or handed to the next action) by the outermost conversion's exit.
            thread.action = open(thread, sparkContext, Owner.CONVERSION, callSite(sparkContext));
            return null;
        }
        if (thread.rddScopeDepth > 0) {
            // Ended by the outermost RDD scope's exit, after any further jobs of the same operation.
            CallSite where = thread.glueCallSite != null ? thread.glueCallSite : callSite(sparkContext);
            thread.action = open(thread, sparkContext, Owner.RDD_SCOPE, where);
            return null;
        }
        Action action = open(thread, sparkContext, Owner.JOB_SUBMIT, callSite(sparkContext));
        thread.action = action;
        return action;
    }

    /**
     * The Python module reports a PySpark call the user made: {@code apiName} (e.g. {@code count}) at
     * {@code file:line}. Returns the action, or null when the thread is already inside one.
     */
    Action pythonEnter(Object sparkContext, String apiName, String file, int line, String pythonStack) {
        ThreadState thread = state.get();
        if (thread.action != null || sparkContext == null) {
            return null;
        }
        String shortForm = apiName + " at " + file + ":" + line;
        Action action = open(thread, sparkContext, Owner.PYTHON, new CallSite(shortForm, null));
        if (pythonStack != null && !pythonStack.isEmpty()) {
            action.subsegment.putMetadata("spark", "python_stack", pythonStack);
        }
        // Spark's UI then names the call's jobs by the Python line too, as PySpark does for RDD actions itself.
        action.previousCallSiteShort = localProperty(sparkContext, SparkNames.CALL_SITE_SHORT);
        action.previousCallSiteLong = localProperty(sparkContext, SparkNames.CALL_SITE_LONG);
        setLocalProperty(sparkContext, SparkNames.CALL_SITE_SHORT, shortForm);
        setLocalProperty(sparkContext, SparkNames.CALL_SITE_LONG, pythonStack);
        thread.action = action;
        return action;
    }

    /** Ends a Python call's action; {@code error} is the Python exception, or null. */
    void pythonExit(Action action, Throwable error) {
        ThreadState thread = state.get();
        if (action.owner != Owner.PYTHON) {
            return;
        }
        setLocalProperty(action.sparkContext, SparkNames.CALL_SITE_SHORT, action.previousCallSiteShort);
        setLocalProperty(action.sparkContext, SparkNames.CALL_SITE_LONG, action.previousCallSiteLong);
        if (error == null && "rdd".equals(action.bareAction) && !isEmptyPythonCall(action, null)) {
            // df.rdd planned the query (and may have run a sort's sampling): the action that follows on the same
            // line takes it over, as a JVM conversion's.
            park(thread, action);
            return;
        }
        close(thread, action, error);
    }

    /** What the Spark call that failed inside this Python call threw, if any. */
    static Throwable jvmErrorOf(Action action) {
        return action.jvmError;
    }

    public void exit(Object token, Throwable error) {
        ThreadState thread = state.get();
        if (error != null && thread.action != null && thread.action.owner == Owner.PYTHON) {
            thread.action.jvmError = error;
        }
        if (token == SQL_NESTED || (token instanceof Action && ((Action) token).owner == Owner.SQL)) {
            thread.sqlDepth = Math.max(0, thread.sqlDepth - 1);
        } else if (token == RDD_SCOPE_NESTED) {
            thread.rddScopeDepth = Math.max(0, thread.rddScopeDepth - 1);
            if (thread.rddScopeDepth == 0) {
                thread.glueCallSite = null;
                if (thread.action != null && thread.action.owner == Owner.RDD_SCOPE) {
                    close(thread, thread.action, error);
                }
            }
            return;
        } else if (token == CONVERSION_NESTED) {
            thread.conversionDepth = Math.max(0, thread.conversionDepth - 1);
            if (thread.conversionDepth == 0 && thread.action != null && thread.action.owner == Owner.CONVERSION) {
                if (error != null) {
                    close(thread, thread.action, error);
                } else {
                    park(thread, thread.action);
                }
            }
            return;
        }
        if (token instanceof Action) {
            close(thread, (Action) token, error);
        }
    }

    /** Ends the conversions no action took over (the context stops). */
    void endPendingConversions() {
        for (Action action : pending) {
            endConversion(action);
        }
    }

    private Action open(ThreadState thread, Object sparkContext, Owner owner, CallSite callSite) {
        Action waiting = thread.pendingConversion;
        if (waiting != null) {
            thread.pendingConversion = null;
            if (takesOver(waiting, callSite) && pending.remove(waiting)) {
                return takeOver(waiting, owner, callSite, sparkContext);
            }
            endConversion(waiting);
        }
        String userName = userName(sparkContext);
        Subsegment subsegment = tracer.beginChild(tracer.current(), ActionNames.name(userName, callSite.shortForm));
        boolean annotated = describe(subsegment, callSite, userName);
        String previousAction = localProperty(sparkContext, SparkNames.ACTION_PROPERTY);
        String previousMdc = localProperty(sparkContext, SparkNames.MDC_TRACE_ID_PROPERTY);
        Action action = new Action(subsegment, sparkContext, owner, ActionNames.location(callSite.shortForm),
                previousAction, previousMdc);
        action.bareAction = ActionNames.bareAction(callSite.shortForm);
        action.annotated = annotated;
        nameInSpark(action);
        makeCurrent(action);
        return action;
    }

    /** Name, annotation and metadata of an action from its call site; true when it got the annotation. */
    private boolean describe(Subsegment subsegment, CallSite callSite, String userName) {
        String bare = ActionNames.bareAction(callSite.shortForm);
        // X-Ray indexes at most 50 annotations per trace: the first actions get one, so they can be searched.
        boolean annotated = annotatedActions.incrementAndGet() <= ANNOTATED_ACTIONS;
        if (annotated) {
            subsegment.annotate("spark_action", bare);
        }
        if (callSite.shortForm != null) {
            subsegment.putMetadata("spark", "call_site", callSite.shortForm);
        }
        if (callSite.longForm != null) {
            subsegment.putMetadata("spark", "call_stack", callSite.longForm);
        }
        if (userName != null) {
            subsegment.putMetadata("spark", "action", ActionNames.callSiteName(callSite.shortForm));
        }
        return annotated;
    }

    /** Sets the agent's property naming the action, which Spark hands to its jobs, stages and tasks. */
    private void nameInSpark(Action action) {
        boolean summarized = budget.isSpent();
        if (summarized) {
            budget.summarizedAction();
        }
        // Jobs and stages (detached, on the listener's thread) name the action: a continuation trace can stub it.
        tracer.shareAsParent(action.subsegment);
        RunInfo run = tracer.run();
        setLocalProperty(action.sparkContext, SparkNames.ACTION_PROPERTY, ActionReference.format(
                action.subsegment.traceId(), action.subsegment.id(), summarized, run.rootId, run.startMillis,
                run.windowMillis));
        setLocalProperty(action.sparkContext, SparkNames.MDC_TRACE_ID_PROPERTY, action.subsegment.traceId());
    }

    private void makeCurrent(Action action) {
        action.previousContext = tracer.attach(action.subsegment);
        action.current = true;
    }

    /** The thread goes back to what it was doing before the action; the action stays open. */
    private void leave(Action action) {
        if (action.current) {
            tracer.detach(action.previousContext);
            action.current = false;
            action.previousContext = null;
        }
    }

    private void close(ThreadState thread, Action action, Throwable error) {
        if (thread.action == action) {
            thread.action = null;
        }
        restoreProperties(action);
        leave(action);
        if ((isEmptyConversionToRdd(action, error) || isEmptyPythonCall(action, error))
                && tracer.discard(action.subsegment)) {
            return;
        }
        tracer.end(action.subsegment, error);
    }

    private static void restoreProperties(Action action) {
        setLocalProperty(action.sparkContext, SparkNames.ACTION_PROPERTY, action.previousActionProperty);
        setLocalProperty(action.sparkContext, SparkNames.MDC_TRACE_ID_PROPERTY, action.previousMdcProperty);
    }

    /** A conversion's call returned having run jobs: they wait, in its action, for the action that follows. */
    private void park(ThreadState thread, Action action) {
        thread.action = null;
        restoreProperties(action);
        leave(action);
        action.conversionEndedMicros = Tracer.nowMicros();
        thread.pendingConversion = action;
        pending.add(action);
    }

    /** The next action follows at once, from the same place of the user's code (or from Python: no place). */
    private static boolean takesOver(Action conversion, CallSite next) {
        if (Tracer.nowMicros() - conversion.conversionEndedMicros > CONVERSION_JOINS_WITHIN_MICROS) {
            return false;
        }
        String place = ActionNames.location(next.shortForm);
        return conversion.location == null || place == null || conversion.location.equals(place);
    }

    private Action takeOver(Action conversion, Owner owner, CallSite callSite, Object sparkContext) {
        conversion.owner = owner;
        conversion.location = ActionNames.location(callSite.shortForm);
        conversion.bareAction = ActionNames.bareAction(callSite.shortForm);
        if (conversion.annotated) {
            conversion.subsegment.annotate("spark_action", conversion.bareAction);
        }
        String userName = userName(sparkContext);
        conversion.subsegment.setName(ActionNames.name(userName, callSite.shortForm));
        conversion.subsegment.putMetadata("spark", "includes_conversion_to_rdd", Boolean.TRUE);
        if (callSite.shortForm != null) {
            conversion.subsegment.putMetadata("spark", "call_site", callSite.shortForm);
        }
        if (callSite.longForm != null) {
            conversion.subsegment.putMetadata("spark", "call_stack", callSite.longForm);
        }
        nameInSpark(conversion);
        makeCurrent(conversion);
        return conversion;
    }

    private void endConversion(Action conversion) {
        if (!pending.remove(conversion)) {
            return;
        }
        conversion.subsegment.setEndMicros(Math.max(conversion.conversionEndedMicros,
                conversion.subsegment.startMicros()));
        tracer.end(conversion.subsegment);
    }

    /**
     * Spark 4.0 runs {@code Dataset.rdd} (and so {@code javaRDD}) in a SQL execution of its own that runs no job:
     * not an action. The RDD action that follows is one, and is traced as such.
     */
    private static boolean isEmptyConversionToRdd(Action action, Throwable error) {
        return action.owner == Owner.SQL && !action.ranSparkWork && error == null && "rdd".equals(action.bareAction);
    }

    /** A PySpark call that ran nothing in Spark and took no time (a lazy read, a cached lookup). */
    private static boolean isEmptyPythonCall(Action action, Throwable error) {
        return action.owner == Owner.PYTHON && !action.ranSparkWork && error == null
                && Tracer.nowMicros() - action.subsegment.startMicros() < EMPTY_PYTHON_CALL_MICROS;
    }

    /** What the user called the work, as the Spark UI shows it: job description, else group, else tags. */
    private static String userName(Object sparkContext) {
        String description = localProperty(sparkContext, SparkNames.JOB_DESCRIPTION_PROPERTY);
        if (description != null && !description.trim().isEmpty()) {
            return description;
        }
        String group = localProperty(sparkContext, SparkNames.JOB_GROUP_PROPERTY);
        if (group != null && !group.trim().isEmpty()) {
            return group;
        }
        String tags = localProperty(sparkContext, SparkNames.JOB_TAGS_PROPERTY);
        return tags != null && !tags.trim().isEmpty() ? tags : null;
    }

    /** A call site the job set ({@code setCallSite}, as PySpark does) wins over the stack, as in Spark. */
    private static CallSite callSite(Object sparkContext) {
        String shortForm = localProperty(sparkContext, SparkNames.CALL_SITE_SHORT);
        if (shortForm != null) {
            return new CallSite(shortForm, localProperty(sparkContext, SparkNames.CALL_SITE_LONG));
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
