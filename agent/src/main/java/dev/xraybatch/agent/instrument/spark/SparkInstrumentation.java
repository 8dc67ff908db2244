package dev.xraybatch.agent.instrument.spark;

import dev.xraybatch.agent.bootstrap.PythonBridge;
import dev.xraybatch.agent.bootstrap.SparkBridge;
import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;
import dev.xraybatch.agent.instrument.InstrumentationModule;
import dev.xraybatch.agent.instrument.ModuleContext;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Tracer;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;
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
 * Python (UDFs and Python RDD functions), timed per batch of results on the JVM side ({@link PythonWork}).
 */
public final class SparkInstrumentation implements InstrumentationModule {
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
        ExecutorTasks tasks = new ExecutorTasks(context.tracer, config.get(Settings.SPARK_SLOW_TASK_MS),
                context.exitHold);
        final SparkHooks hooks = new SparkHooks(context.tracer, tasks, context.exitHold, context.mainStartedMicros,
                context.jobEndingMicros, config.get(Settings.SPARK_PYTHON_MODULE) ? context.agentJar : null,
                context.rootNamedByLauncher);
        SparkBridge.install(hooks);
        PythonBridge.install(hooks.python());
        return builder
                .with(new SparkLoadingListener(hooks))
                // Spark calls through the module instance (MODULE$), not the static forwarder.
                .type(named(SparkNames.SQL_EXECUTION_MODULE))
                .transform(visit(SparkAdvice.SqlExecution.class, named("withNewExecutionId").and(takesArguments(3))))
                .type(named(SparkNames.RDD))
                .transform(visit(SparkAdvice.RddScope.class, named("withScope").and(takesArguments(1))))
                // Glue's DynamicFrame writes run several jobs: like an RDD scope, they make them one action.
                .type(nameStartsWith(SparkNames.GLUE_PACKAGE).and(named(SparkNames.GLUE_DATA_SINK)
                        .or(hasSuperClass(named(SparkNames.GLUE_DATA_SINK)))))
                .transform(visit(SparkAdvice.RddScope.class, named("writeDynamicFrame").and(not(isAbstract()))))
                .transform(visit(SparkAdvice.GlueWrite.class, named("pyWriteDynamicFrame").and(takesArguments(3))
                        .and(takesArgument(1, String.class)).and(not(isAbstract()))))
                // A Dataset's conversion to an RDD can run jobs (a sort's sampling, AQE's map stages) for the next
                // action: spark.rdd is 3.x's Dataset, sql.classic.Dataset 4.x's.
                .type(named(SparkNames.DATASET).or(named(SparkNames.CLASSIC_DATASET)))
                .transform(visit(SparkAdvice.Conversion.class, named("rdd").or(named("javaRDD"))
                        .or(named("toJavaRDD")).or(named("javaToPython"))
                        .and(takesArguments(0)).and(not(isAbstract())).and(not(isBridge()))))
                // spark-submit's PythonRunner builds the Python driver's PYTHONPATH: the agent's module joins it.
                .type(named(SparkNames.PYTHON_UTILS_MODULE))
                .transform(visit(SparkAdvice.PythonPath.class, named("mergePythonPaths").and(takesArguments(1))))
                .type(named(SparkNames.SPARK_CONTEXT))
                // The 5-argument runJob is the one all others reach; its Seq type differs between Scala versions.
                // AQE submits its map stages, and countApprox its job, past runJob.
                .transform(visit(SparkAdvice.JobSubmit.class,
                        named("runJob").and(takesArguments(5)).or(named("submitJob"))
                                .or(named("submitMapStage")).or(named("runApproximateJob"))))
                .transform(visit(SparkAdvice.ListenerBus.class,
                        named("setupAndStartListenerBus").and(takesArguments(0))))
                .transform(visit(SparkAdvice.ContextStart.class, isConstructor().and(takesArguments(1))
                        .and(takesArgument(0, named(SparkNames.SPARK + ".SparkConf")))))
                .transform(visit(SparkAdvice.ContextStop.class,
                        named("stop").and(takesArguments(0).or(takesArguments(int.class)))))
                .type(named(SparkNames.SESSION + "$Builder").or(named(SparkNames.CLASSIC_SESSION + "$Builder")))
                .transform(visit(SparkAdvice.Phase.class, named("getOrCreate").and(takesArguments(0))
                        .and(not(isBridge()))))
                .type(named(SparkNames.SESSION).or(named(SparkNames.CLASSIC_SESSION)))
                .transform(visit(SparkAdvice.Phase.class, named("sessionState$lzycompute")
                        .or(named("sharedState$lzycompute")).and(takesArguments(0))))
                .type(named(SparkNames.QUERY_EXECUTION))
                .transform(visit(SparkAdvice.Phase.class, named("assertAnalyzed").and(takesArguments(0))))
                .type(named(SparkNames.TASK))
                .transform(visit(SparkAdvice.TaskRun.class, named("run").and(takesArguments(6))))
                .type(named(SparkNames.PYTHON_RUNNER))
                .transform(visit(SparkAdvice.PythonCompute.class, named("compute").and(takesArguments(3))
                        .and(takesArgument(2, named(SparkNames.TASK_CONTEXT)))))
                // The readers are anonymous subclasses in the runners' packages; read() also has a bridge twin.
                .type(nameStartsWith(SparkNames.SPARK + ".").and(nameContains(".python."))
                        .and(not(isInterface())).and(hasSuperType(named(SparkNames.PYTHON_READER_ITERATOR))))
                .transform(visit(SparkAdvice.PythonRead.class,
                        named("read").and(takesArguments(0)).and(not(isAbstract())).and(not(isBridge()))))
                .type(nameStartsWith(SparkNames.SQL_PYTHON_PACKAGE).and(not(isInterface()))
                        .and(hasSuperType(named(SparkNames.EVAL_PYTHON_EXEC)
                                .or(named(SparkNames.EVAL_PYTHON_EVALUATOR_FACTORY)))))
                .transform(visit(SparkAdvice.PythonEvaluation.class, named("evaluate").and(takesArguments(5))
                        .and(takesArgument(4, named(SparkNames.TASK_CONTEXT))).and(not(isAbstract()))))
                .type(named(SparkNames.COLUMNAR_ARROW_EVALUATOR))
                .transform(visit(SparkAdvice.PythonEvaluation.class, named("eval").and(takesArguments(2))));
    }

    /** Tells the hooks when the JVM first loads Spark's session or context class (not when it retransforms one). */
    private static final class SparkLoadingListener extends AgentBuilder.Listener.Adapter {
        private final SparkHooks hooks;

        SparkLoadingListener(SparkHooks hooks) {
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

    private static AgentBuilder.Transformer visit(Class<?> advice,
                                                  ElementMatcher<? super MethodDescription> methods) {
        return new AgentBuilder.Transformer.ForAdvice()
                .advice(methods, advice.getName())
                .include(advice.getClassLoader());
    }
}
