package dev.xraybatch.agent.bootstrap;

/**
 * What the advice inlined into Spark's classes calls. JDK types only (Spark objects travel as {@code Object}),
 * so it works whichever class loader Spark lives in. Every call is a no-op until the agent sets {@link #hooks},
 * and none throws into the job.
 */
public final class SparkBridge {
    /** The agent's side, implemented in {@code instrument/spark}. Tokens returned by enter methods go to exit. */
    public interface Hooks {
        /** {@code SQLExecution$.withNewExecutionId}: a Dataset/DataFrame/SQL action, or one nested in it. */
        Object sqlExecutionEnter(Object queryExecution);

        /**
         * {@code RDD.withScope}, and Glue's {@code DataSink} writes: marks an operation, so that several jobs of one
         * action become one.
         */
        Object rddScopeEnter(Object rdd);

        /**
         * {@code SparkContext.runJob} (5 arguments), {@code submitJob}, {@code submitMapStage} (AQE's map stages)
         * and {@code runApproximateJob}.
         */
        Object jobSubmitEnter(Object sparkContext);

        /**
         * Glue's {@code DataSink.pyWriteDynamicFrame(frame, callSite, info)}: a write from Glue's Python API, which
         * passes the Python stack it was called from ({@code callSite}); like an RDD scope otherwise.
         */
        Object glueWriteEnter(String pythonCallSite);

        /** A Dataset becomes an RDD ({@code rdd}, {@code javaRDD}, {@code toJavaRDD}, {@code javaToPython}). */
        Object conversionEnter();

        /**
         * {@code PythonUtils.mergePythonPaths}' result; when spark-submit's PythonRunner builds the Python driver's
         * path with it, the agent's Python module is put first. Returns the path to use.
         */
        String pythonPath(String merged);

        /** Ends what one of the enter methods above opened; {@code error} is what the call threw, or null. */
        void actionExit(Object token, Throwable error);

        /** {@code SparkContext.setupAndStartListenerBus}: the place to add the agent's listener. */
        void listenerBusStarting(Object sparkContext);

        Object contextStartEnter();

        void contextStartExit(Object token, Object sparkContext);

        Object contextStopEnter(Object sparkContext);

        void contextStopExit(Object token, Throwable error);

        /**
         * One of Spark's own start-up phases on the driver, named by the method Spark runs:
         * {@code getOrCreate} (SparkSession builder), {@code sessionState$lzycompute} or
         * {@code sharedState$lzycompute} (built on first use), {@code assertAnalyzed} (a Dataset's plan analyzed).
         */
        Object phaseEnter(String method);

        void phaseExit(Object token, Throwable error);

        /** {@code Task.run} on an executor (or on the driver in local mode). */
        Object taskEnter(Object task);

        void taskExit(Object token, Object task, Throwable error);

        /** {@code evaluate(...)} of a Python UDF evaluation, on the task's thread: which UDFs, which metrics. */
        void pythonEvaluation(Object evaluation);

        /** {@code BasePythonRunner.compute} on a task's thread: starts a worker (R runners share the method). */
        Object pythonComputeEnter(Object runner);

        /**
         * {@code ReaderIterator.read} of a Python runner on a task's thread: one batch of results. Called per
         * batch, never per row: it must not allocate.
         */
        Object pythonReadEnter();

        /** {@code gotBatch}: a {@code read} that returned results. */
        void pythonExit(Object token, boolean gotBatch);
    }

    private static volatile Hooks hooks;

    private SparkBridge() {
    }

    public static void install(Hooks implementation) {
        hooks = implementation;
    }

    public static Object sqlExecutionEnter(Object queryExecution) {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.sqlExecutionEnter(queryExecution);
        } catch (Throwable t) {
            return null;
        }
    }

    public static Object rddScopeEnter(Object rdd) {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.rddScopeEnter(rdd);
        } catch (Throwable t) {
            return null;
        }
    }

    public static Object jobSubmitEnter(Object sparkContext) {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.jobSubmitEnter(sparkContext);
        } catch (Throwable t) {
            return null;
        }
    }

    public static Object glueWriteEnter(Object pythonCallSite) {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.glueWriteEnter(pythonCallSite instanceof String ? (String) pythonCallSite : null);
        } catch (Throwable t) {
            return null;
        }
    }

    public static Object conversionEnter() {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.conversionEnter();
        } catch (Throwable t) {
            return null;
        }
    }

    public static String pythonPath(String merged) {
        Hooks h = hooks;
        if (h == null || merged == null) {
            return merged;
        }
        try {
            String path = h.pythonPath(merged);
            return path == null ? merged : path;
        } catch (Throwable t) {
            return merged;
        }
    }

    public static void actionExit(Object token, Throwable error) {
        Hooks h = hooks;
        if (h == null || token == null) {
            return;
        }
        try {
            h.actionExit(token, error);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    public static void listenerBusStarting(Object sparkContext) {
        Hooks h = hooks;
        if (h == null) {
            return;
        }
        try {
            h.listenerBusStarting(sparkContext);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    public static Object contextStartEnter() {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.contextStartEnter();
        } catch (Throwable t) {
            return null;
        }
    }

    public static void contextStartExit(Object token, Object sparkContext) {
        Hooks h = hooks;
        if (h == null || token == null) {
            return;
        }
        try {
            h.contextStartExit(token, sparkContext);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    public static Object contextStopEnter(Object sparkContext) {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.contextStopEnter(sparkContext);
        } catch (Throwable t) {
            return null;
        }
    }

    public static void contextStopExit(Object token, Throwable error) {
        Hooks h = hooks;
        if (h == null || token == null) {
            return;
        }
        try {
            h.contextStopExit(token, error);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    public static Object phaseEnter(String method) {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.phaseEnter(method);
        } catch (Throwable t) {
            return null;
        }
    }

    public static void phaseExit(Object token, Throwable error) {
        Hooks h = hooks;
        if (h == null || token == null) {
            return;
        }
        try {
            h.phaseExit(token, error);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    public static Object taskEnter(Object task) {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.taskEnter(task);
        } catch (Throwable t) {
            return null;
        }
    }

    public static void pythonEvaluation(Object evaluation) {
        Hooks h = hooks;
        if (h == null) {
            return;
        }
        try {
            h.pythonEvaluation(evaluation);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    public static Object pythonComputeEnter(Object runner) {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.pythonComputeEnter(runner);
        } catch (Throwable t) {
            return null;
        }
    }

    public static Object pythonReadEnter() {
        Hooks h = hooks;
        if (h == null) {
            return null;
        }
        try {
            return h.pythonReadEnter();
        } catch (Throwable t) {
            return null;
        }
    }

    public static void pythonExit(Object token, boolean gotBatch) {
        Hooks h = hooks;
        if (h == null || token == null) {
            return;
        }
        try {
            h.pythonExit(token, gotBatch);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    public static void taskExit(Object token, Object task, Throwable error) {
        Hooks h = hooks;
        if (h == null || token == null) {
            return;
        }
        try {
            h.taskExit(token, task, error);
        } catch (Throwable ignored) {
            // never into the job
        }
    }
}
