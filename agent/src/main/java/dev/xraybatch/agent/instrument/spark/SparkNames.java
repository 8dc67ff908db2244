package dev.xraybatch.agent.instrument.spark;

/**
 * Names of Spark's classes and of the keys the agent shares with Spark. Built at run time: the shade plugin
 * rewrites string constants that start with a relocated package ({@code org.apache} is one, for the agent's own
 * dependencies), and Spark's classes must keep their real names.
 */
public final class SparkNames {
    public static final String SPARK = String.join(".", "org", "apache", "spark");

    static final String SPARK_CONTEXT = SPARK + ".SparkContext";
    static final String SQL_EXECUTION_MODULE = SPARK + ".sql.execution.SQLExecution$";
    static final String QUERY_EXECUTION = SPARK + ".sql.execution.QueryExecution";
    static final String RDD = SPARK + ".rdd.RDD";
    /** The Dataset: {@code sql.Dataset} in 3.x; in 4.x that is the API, implemented by the classic one. */
    static final String DATASET = SPARK + ".sql.Dataset";
    static final String CLASSIC_DATASET = SPARK + ".sql.classic.Dataset";
    /** spark-submit's main class for a Python application: it starts the Python driver program. */
    public static final String PYTHON_RUNNER_MODULE = SPARK + ".deploy.PythonRunner$";
    static final String PYTHON_UTILS_MODULE = SPARK + ".api.python.PythonUtils$";
    static final String TASK = SPARK + ".scheduler.Task";
    /** The session: {@code sql.SparkSession} in 3.x; in 4.0 that is the API, implemented by the classic one. */
    static final String SESSION = SPARK + ".sql.SparkSession";
    static final String CLASSIC_SESSION = SPARK + ".sql.classic.SparkSession";
    /** AWS Glue's ETL library (DynamicFrame, DataSink), on Glue's class path only. */
    public static final String GLUE_PACKAGE = String.join(".", "com", "amazonaws", "services", "glue") + ".";
    static final String GLUE_DATA_SINK = GLUE_PACKAGE + "DataSink";
    public static final String LISTENER_INTERFACE = SPARK + ".scheduler.SparkListenerInterface";
    static final String EXECUTOR_PACKAGE = SPARK + ".executor.";
    static final String TASK_CONTEXT = SPARK + ".TaskContext";
    static final String PYTHON_RUNNER = SPARK + ".api.python.BasePythonRunner";
    /** Reads the Python worker's results: subclassed by every runner, as anonymous classes. */
    static final String PYTHON_READER_ITERATOR = PYTHON_RUNNER + "$ReaderIterator";
    private static final String SPARK_R_API = SPARK + ".api.r.";
    private static final String SPARK_R_SQL = SPARK + ".sql.execution.r.";
    static final String SQL_PYTHON_PACKAGE = SPARK + ".sql.execution.python.";
    /** Where {@code evaluate(..., TaskContext)} of UDF evaluations lives: 3.3 and 3.5, and 4.0 to 4.2. */
    static final String EVAL_PYTHON_EXEC = SQL_PYTHON_PACKAGE + "EvalPythonExec";
    static final String EVAL_PYTHON_EVALUATOR_FACTORY = SQL_PYTHON_PACKAGE + "EvalPythonEvaluatorFactory";
    /**
     * 4.2 evaluates Arrow UDFs over columnar input (on by default) in a partition evaluator of a factory that is
     * no EvalPythonEvaluatorFactory; the factory, its {@code $outer}, holds the UDFs and metrics.
     */
    static final String COLUMNAR_ARROW_EVALUATOR = SQL_PYTHON_PACKAGE
            + "ColumnarArrowEvalPythonEvaluatorFactory$ColumnarArrowEvalPythonPartitionEvaluator";
    public static final String HADOOP_SHUTDOWN_HOOK_MANAGER = String.join(".", "org", "apache", "hadoop", "util",
            "ShutdownHookManager");

    /** Spark's call site, set by {@code setCallSite} (PySpark sets it for RDD actions): how the UI names a job. */
    public static final String CALL_SITE_SHORT = "callSite.short";
    public static final String CALL_SITE_LONG = "callSite.long";
    /** What the user called the work ({@code setJobDescription}, {@code setJobGroup}, 3.5's job tags). */
    public static final String JOB_DESCRIPTION_PROPERTY = "spark.job.description";
    public static final String JOB_GROUP_PROPERTY = "spark.jobGroup.id";
    public static final String JOB_TAGS_PROPERTY = "spark.job.tags";

    /** Spark's own local property: set on threads that run inside a SQL execution (broadcasts, subqueries). */
    public static final String SQL_EXECUTION_ID_PROPERTY = "spark.sql.execution.id";
    /**
     * The agent's local property: {@code <trace id>;<action subsegment id>}. Spark hands local properties to the
     * listener's job and stage events and to every task, in executor JVMs too: that is how they find the action.
     */
    public static final String ACTION_PROPERTY = "xraybatch.action";
    /** Local properties starting with {@code mdc.} land in the executors' log MDC: the trace id in their logs. */
    public static final String MDC_TRACE_ID_PROPERTY = "mdc.AWS-XRAY-TRACE-ID";
    /** The listener bus queue of the agent's listener: its own thread, so a slow export never delays Spark's. */
    public static final String LISTENER_QUEUE = "xray";

    private SparkNames() {
    }

    /** SparkR's runners ({@code api.r}, {@code sql.execution.r}) extend the Python runner. */
    public static boolean isSparkR(String className) {
        return className.startsWith(SPARK_R_API) || className.startsWith(SPARK_R_SQL);
    }
}
