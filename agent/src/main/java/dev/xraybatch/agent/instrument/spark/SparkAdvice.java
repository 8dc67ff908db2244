package dev.xraybatch.agent.instrument.spark;

import dev.xraybatch.agent.bootstrap.SparkBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Inlined into Spark's classes: each hands its arguments to {@link SparkBridge} and nothing else. */
final class SparkAdvice {
    private SparkAdvice() {
    }

    static final class SqlExecution {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(0) Object queryExecution) {
            return SparkBridge.sqlExecutionEnter(queryExecution);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
            SparkBridge.actionExit(token, thrown);
        }
    }

    static final class RddScope {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object rdd) {
            return SparkBridge.rddScopeEnter(rdd);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
            SparkBridge.actionExit(token, thrown);
        }
    }

    static final class JobSubmit {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object sparkContext) {
            return SparkBridge.jobSubmitEnter(sparkContext);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
            SparkBridge.actionExit(token, thrown);
        }
    }

    /** Glue's write from Python: its second argument is the Python stack Glue's Python API was called from. */
    static final class GlueWrite {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Argument(1) Object pythonCallSite) {
            return SparkBridge.glueWriteEnter(pythonCallSite);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
            SparkBridge.actionExit(token, thrown);
        }
    }

    /** A Dataset's conversion to an RDD: its jobs join the action that follows. */
    static final class Conversion {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter() {
            return SparkBridge.conversionEnter();
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
            SparkBridge.actionExit(token, thrown);
        }
    }

    /** {@code PythonUtils.mergePythonPaths}: the Python driver's path, which the agent's module joins. */
    static final class PythonPath {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return(readOnly = false) String merged) {
            merged = SparkBridge.pythonPath(merged);
        }
    }

    static final class ListenerBus {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object sparkContext) {
            SparkBridge.listenerBusStarting(sparkContext);
        }
    }

    /** Constructor: enter advice runs before {@code this} exists; a constructor's exit advice cannot see throws. */
    static final class ContextStart {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter() {
            return SparkBridge.contextStartEnter();
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.This Object sparkContext) {
            SparkBridge.contextStartExit(token, sparkContext);
        }
    }

    static final class ContextStop {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object sparkContext) {
            return SparkBridge.contextStopEnter(sparkContext);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
            SparkBridge.contextStopExit(token, thrown);
        }
    }

    /** Spark's start-up phases on the driver; the hooks tell them apart by the method's name. */
    static final class Phase {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.Origin("#m") String method) {
            return SparkBridge.phaseEnter(method);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
            SparkBridge.phaseExit(token, thrown);
        }
    }

    static final class TaskRun {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object task) {
            return SparkBridge.taskEnter(task);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.This Object task, @Advice.Thrown Throwable thrown) {
            SparkBridge.taskExit(token, task, thrown);
        }
    }

    /** {@code evaluate(...)} of a Python UDF evaluation: the evaluation object names its UDFs and metrics. */
    static final class PythonEvaluation {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object evaluation) {
            SparkBridge.pythonEvaluation(evaluation);
        }
    }

    /** {@code BasePythonRunner.compute}: starts (or reuses) a Python worker and its writer. */
    static final class PythonCompute {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object runner) {
            return SparkBridge.pythonComputeEnter(runner);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token) {
            SparkBridge.pythonExit(token, false);
        }
    }

    /** {@code ReaderIterator.read}: waits for and reads one batch of results from the Python worker. */
    static final class PythonRead {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter() {
            return SparkBridge.pythonReadEnter();
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token,
                         @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object batch) {
            SparkBridge.pythonExit(token, batch != null);
        }
    }
}
