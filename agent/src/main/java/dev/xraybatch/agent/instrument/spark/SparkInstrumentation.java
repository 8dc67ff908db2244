package dev.xraybatch.agent.instrument.spark;

import dev.xraybatch.agent.instrument.spark.driver.ActionTracker;
import dev.xraybatch.agent.instrument.spark.driver.SparkContextLifecycle;
import dev.xraybatch.agent.instrument.spark.driver.SparkPhases;
import dev.xraybatch.agent.instrument.spark.executor.ExecutorTasks;
import dev.xraybatch.agent.bootstrap.PythonBridge;
import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;
import dev.xraybatch.agent.instrument.InstrumentationModule;
import dev.xraybatch.agent.instrument.ModuleContext;
import dev.xraybatch.agent.instrument.hook.Hook;
import dev.xraybatch.agent.instrument.hook.HookSite;
import dev.xraybatch.agent.instrument.hook.HookSites;
import dev.xraybatch.agent.instrument.hook.advice.ConstructorExit;
import dev.xraybatch.agent.instrument.hook.advice.EnterArgument0;
import dev.xraybatch.agent.instrument.hook.advice.EnterArgument1;
import dev.xraybatch.agent.instrument.hook.advice.EnterThis;
import dev.xraybatch.agent.instrument.hook.advice.Exit;
import dev.xraybatch.agent.instrument.hook.advice.ExitReturned;
import dev.xraybatch.agent.instrument.hook.advice.ExitThis;
import dev.xraybatch.agent.instrument.hook.advice.ReturnReplaced;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Tracer;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.utility.JavaModule;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperClass;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Spark, matched by name only (the agent compiles against no Spark; spark-notes lists the hook points, the same
 * in 3.3, 3.5 and 4.0 to 4.2, docs/spark-versions.md what differs). Driver: actions, the listener for jobs and stages, context start and stop, the session's
 * start-up phases. Executors (and the driver in local mode): {@code Task.run}, and inside tasks the time spent in
 * Python (UDFs and Python RDD functions), timed per batch of results on the JVM side ({@code executor/PythonWork}).
 *
 * <p>{@code driver/} holds what runs on the driver, {@code executor/} what runs in tasks; this folder what both
 * read (Spark's names, reflection, the action reference both sides derive ids from, stage metrics), and the
 * routing: each hook point goes straight to the code that handles it.
 */
public final class SparkInstrumentation implements InstrumentationModule {
    /**
     * The context start hook's name for the Spark plugin route ({@code spark/ContextStartPhase}, the plugin's copy
     * of the agent's classes in Spark's loader), which reaches it through {@code HookBridge.site}.
     */
    static final String CONTEXT_START_SITE = "spark context start";

    /**
     * True in a Spark executor JVM with Spark tracing on: its tasks report into the driver's trace, so the JVM
     * sends no root segment of its own ({@link Tracer#keepRootLocal()}).
     */
    public static boolean reportsIntoDriverTrace(AgentConfig config, String mainClass) {
        return config.get(Settings.SPARK_ENABLED) && mainClass != null
                && mainClass.startsWith(SparkNames.EXECUTOR_PACKAGE) && mainClass.endsWith("ExecutorBackend");
    }

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public boolean enabled(AgentConfig config) {
        return config.get(Settings.SPARK_ENABLED);
    }

    @Override
    public AgentBuilder extend(AgentBuilder builder, ModuleContext context) {
        AgentConfig config = context.config;
        // Spark finishes its work in shutdown hooks of its own: exitHold holds the agent's exit flush for them.
        final ExecutorTasks tasks = new ExecutorTasks(context.tracer, config.get(Settings.SPARK_SLOW_TASK_MS),
                context.exitHold);
        final SparkContextLifecycle lifecycle = new SparkContextLifecycle(context.tracer, () -> tasks.sendIdle(true),
                context.exitHold, context.mainStartedMicros, context.jobEndingMicros,
                config.get(Settings.SPARK_PYTHON_MODULE) ? context.agentJar : null, context.rootNamedByLauncher,
                context.mainThreadGaps);
        PythonBridge.install(lifecycle.python());
        final ActionTracker actions = lifecycle.actions();
        final SparkPhases phases = lifecycle.phases();
        HookSites hooks = context.hooks;

        // Each hook point routes straight to the code that handles it.
        Hook.Exit actionExit = (token, subject, thrown) -> actions.exit(token, thrown);
        Hook sqlExecution = Hook.of("spark SQL execution", actions::sqlExecutionEnter, actionExit);
        Hook rddScope = Hook.of("spark RDD scope", rdd -> actions.rddScopeEnter(), actionExit);
        Hook jobSubmit = Hook.of("spark job submit", actions::jobSubmitEnter, actionExit);
        Hook glueWrite = Hook.of("glue write from Python", pythonCallSite -> actions.glueWriteEnter(
                pythonCallSite instanceof String ? (String) pythonCallSite : null), actionExit);
        Hook conversion = Hook.of("spark Dataset to RDD", dataset -> actions.conversionEnter(), actionExit);
        Hook listenerBus = Hook.of("spark listener bus", sparkContext -> {
            lifecycle.listenerBusStarting(sparkContext);
            return null;
        }, null);
        Hook contextStart = Hook.of("spark context start", notYetBuilt -> lifecycle.contextStartEnter(),
                (token, sparkContext, thrown) -> lifecycle.contextStartExit(token, sparkContext));
        hooks.named(CONTEXT_START_SITE, contextStart);
        Hook contextStop = Hook.of("spark context stop", lifecycle::contextStopEnter,
                (token, sparkContext, thrown) -> lifecycle.contextStopExit(token, thrown));
        // The phases are told apart by the method Spark runs: getOrCreate, sessionState$lzycompute, ...
        Hook phase = new Hook() {
            @Override
            public Object enter(HookSite site, Object subject, Object[] arguments) {
                return phases.enter(site.methodName);
            }

            @Override
            public void exit(HookSite site, Object token, Object subject, Object returned, Throwable thrown) {
                phases.exit(token, thrown);
            }

            @Override
            public String toString() {
                return "spark start-up phase";
            }
        };
        Hook task = Hook.of("spark task", tasks::taskStarted, tasks::taskEnded);
        Hook pythonEvaluation = Hook.of("spark Python evaluation", evaluation -> {
            tasks.pythonEvaluation(evaluation);
            return null;
        }, null);
        Hook pythonCompute = Hook.of("spark Python runner", tasks::pythonComputeEnter,
                (token, runner, thrown) -> ExecutorTasks.pythonExit(token, false));
        Hook pythonRead = new Hook() {
            @Override
            public Object enter(HookSite site, Object reader, Object[] arguments) {
                return tasks.pythonReadEnter();
            }

            @Override
            public void exit(HookSite site, Object token, Object reader, Object batch, Throwable thrown) {
                ExecutorTasks.pythonExit(token, batch != null);
            }

            @Override
            public String toString() {
                return "spark Python read";
            }
        };
        Hook pythonPath = new Hook() {
            @Override
            public Object replace(HookSite site, Object merged, Object declaringType) {
                return lifecycle.pythonPath((String) merged);
            }

            @Override
            public String toString() {
                return "spark Python driver path";
            }
        };

        return builder
                .with(new SparkLoadingListener(lifecycle))
                // Spark calls through the module instance (MODULE$), not the static forwarder.
                .type(named(SparkNames.SQL_EXECUTION_MODULE))
                .transform(hooks.advise(named("withNewExecutionId").and(takesArguments(3)), sqlExecution,
                        EnterArgument0.class, Exit.class))
                .type(named(SparkNames.RDD))
                .transform(hooks.advise(named("withScope").and(takesArguments(1)), rddScope, EnterThis.class,
                        Exit.class))
                // Glue's DynamicFrame writes run several jobs: like an RDD scope, they make them one action.
                .type(nameStartsWith(SparkNames.GLUE_PACKAGE).and(named(SparkNames.GLUE_DATA_SINK)
                        .or(hasSuperClass(named(SparkNames.GLUE_DATA_SINK)))))
                .transform(hooks.advise(named("writeDynamicFrame").and(not(isAbstract())), rddScope,
                        EnterThis.class, Exit.class))
                // Its second argument is the Python stack Glue's Python API was called from.
                .transform(hooks.advise(named("pyWriteDynamicFrame").and(takesArguments(3))
                        .and(takesArgument(1, String.class)).and(not(isAbstract())), glueWrite,
                        EnterArgument1.class, Exit.class))
                // A Dataset's conversion to an RDD can run jobs (a sort's sampling, AQE's map stages) for the next
                // action: spark.rdd is 3.x's Dataset, sql.classic.Dataset 4.x's.
                .type(named(SparkNames.DATASET).or(named(SparkNames.CLASSIC_DATASET)))
                .transform(hooks.advise(named("rdd").or(named("javaRDD"))
                        .or(named("toJavaRDD")).or(named("javaToPython"))
                        .and(takesArguments(0)).and(not(isAbstract())).and(not(isBridge())), conversion,
                        EnterThis.class, Exit.class))
                // spark-submit's PythonRunner builds the Python driver's PYTHONPATH: the agent's module joins it.
                .type(named(SparkNames.PYTHON_UTILS_MODULE))
                .transform(hooks.advise(named("mergePythonPaths").and(takesArguments(1)), pythonPath, null,
                        ReturnReplaced.class))
                .type(named(SparkNames.SPARK_CONTEXT))
                // The 5-argument runJob is the one all others reach; its Seq type differs between Scala versions.
                // AQE submits its map stages, and countApprox its job, past runJob.
                .transform(hooks.advise(named("runJob").and(takesArguments(5)).or(named("submitJob"))
                                .or(named("submitMapStage")).or(named("runApproximateJob")), jobSubmit,
                        EnterThis.class, Exit.class))
                .transform(hooks.advise(named("setupAndStartListenerBus").and(takesArguments(0)), listenerBus,
                        EnterThis.class, null))
                // Constructor: enter advice runs before this exists; a constructor's exit advice cannot see throws.
                .transform(hooks.advise(isConstructor().and(takesArguments(1))
                        .and(takesArgument(0, named(SparkNames.SPARK + ".SparkConf"))), contextStart,
                        EnterThis.class, ConstructorExit.class))
                .transform(hooks.advise(named("stop").and(takesArguments(0).or(takesArguments(int.class))),
                        contextStop, EnterThis.class, Exit.class))
                .type(named(SparkNames.SESSION + "$Builder").or(named(SparkNames.CLASSIC_SESSION + "$Builder")))
                .transform(hooks.advise(named("getOrCreate").and(takesArguments(0)).and(not(isBridge())), phase,
                        EnterThis.class, Exit.class))
                .type(named(SparkNames.SESSION).or(named(SparkNames.CLASSIC_SESSION)))
                .transform(hooks.advise(named("sessionState$lzycompute").or(named("sharedState$lzycompute"))
                        .and(takesArguments(0)), phase, EnterThis.class, Exit.class))
                .type(named(SparkNames.QUERY_EXECUTION))
                .transform(hooks.advise(named("assertAnalyzed").and(takesArguments(0)), phase, EnterThis.class,
                        Exit.class))
                .type(named(SparkNames.TASK))
                .transform(hooks.advise(named("run").and(takesArguments(6)), task, EnterThis.class,
                        ExitThis.class))
                // BasePythonRunner.compute starts (or reuses) a Python worker and its writer.
                .type(named(SparkNames.PYTHON_RUNNER))
                .transform(hooks.advise(named("compute").and(takesArguments(3))
                        .and(takesArgument(2, named(SparkNames.TASK_CONTEXT))), pythonCompute, EnterThis.class,
                        Exit.class))
                // The readers are anonymous subclasses in the runners' packages; read() also has a bridge twin.
                // ReaderIterator.read waits for and reads one batch of results from the Python worker.
                .type(nameStartsWith(SparkNames.SPARK + ".").and(nameContains(".python."))
                        .and(not(isInterface())).and(hasSuperType(named(SparkNames.PYTHON_READER_ITERATOR))))
                .transform(hooks.advise(named("read").and(takesArguments(0)).and(not(isAbstract()))
                        .and(not(isBridge())), pythonRead, EnterThis.class, ExitReturned.class))
                // evaluate(...) of a Python UDF evaluation: the evaluation object names its UDFs and metrics.
                .type(nameStartsWith(SparkNames.SQL_PYTHON_PACKAGE).and(not(isInterface()))
                        .and(hasSuperType(named(SparkNames.EVAL_PYTHON_EXEC)
                                .or(named(SparkNames.EVAL_PYTHON_EVALUATOR_FACTORY)))))
                .transform(hooks.advise(named("evaluate").and(takesArguments(5))
                        .and(takesArgument(4, named(SparkNames.TASK_CONTEXT))).and(not(isAbstract())),
                        pythonEvaluation, EnterThis.class, null))
                .type(named(SparkNames.COLUMNAR_ARROW_EVALUATOR))
                .transform(hooks.advise(named("eval").and(takesArguments(2)), pythonEvaluation, EnterThis.class,
                        null));
    }

    /** Tells the hooks when the JVM first loads Spark's session or context class (not when it retransforms one). */
    private static final class SparkLoadingListener extends AgentBuilder.Listener.Adapter {
        private final SparkContextLifecycle hooks;

        SparkLoadingListener(SparkContextLifecycle hooks) {
            this.hooks = hooks;
        }

        @Override
        public void onDiscovery(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded) {
            if (!loaded && (typeName.equals(SparkNames.SESSION) || typeName.equals(SparkNames.CLASSIC_SESSION)
                    || typeName.equals(SparkNames.SPARK_CONTEXT))) {
                try {
                    hooks.sparkClassesLoading();
                } catch (Throwable t) {
                    AgentLog.internalError("noting Spark's start", t);
                }
            }
        }
    }
}
