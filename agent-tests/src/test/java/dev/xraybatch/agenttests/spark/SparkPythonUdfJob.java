package dev.xraybatch.agenttests.spark;

import java.io.File;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * The driver program of {@link SparkPythonUdfIT}: Python UDFs evaluated by Spark's real JVM side (planner,
 * BatchEvalPythonExec, PythonUDFRunner, worker factory) against {@code xray_fake_pyspark_worker.py}, a stand-in
 * for pyspark's worker (PyPI, and so pyspark, is unreachable in this build). The UDFs are made on the JVM side as
 * PySpark makes them ({@code UserDefinedPythonFunction} over a {@code SimplePythonFunction}); their "command"
 * is a word the stand-in interprets instead of pickled Python code.
 *
 * <p>Spark 3.5 only (the constructors differ in 3.3 and 4.0): they are called reflectively so that this class
 * compiles in every Spark line. Arguments: scratch directory, Python executable, directory of the stand-in module.
 * Prints {@code scenario <name> ok|failed-as-planned} per scenario.
 */
public final class SparkPythonUdfJob {

    /** Rows and partitions of the UDFs' input: a few partitions, several batches of 100 rows each. */
    public static final int ROWS = 2_000;
    public static final int PARTITIONS = 4;
    /** The argument on which the failing UDF raises in Python. */
    public static final String FAILING_ARGUMENT = "name-1234";
    /** {@code PythonEvalType.SQL_BATCHED_UDF}: rows pickled in batches, what BatchEvalPythonExec runs. */
    private static final int SQL_BATCHED_UDF = 100;

    private SparkPythonUdfJob() {
    }

    public static void main(String[] args) throws Exception {
        File scratch = new File(args[0]);
        String python = args[1];
        String workerDirectory = args[2];
        SparkSession spark = SparkSession.builder()
                .appName("xray-spark-python-udf")
                .master("local[2]")
                .config("spark.sql.warehouse.dir", new File(scratch, "warehouse").getAbsolutePath())
                .config("spark.ui.enabled", "false")
                // One worker process per task, started as `python -m <module>`: the stand-in module.
                .config("spark.python.use.daemon", "false")
                .config("spark.python.worker.module", "xray_fake_pyspark_worker")
                .getOrCreate();
        // Spark adds its own variables to the function's environment map, as PySpark's is a mutable one.
        Map<String, String> env = new HashMap<>();
        env.put("PYTHONPATH", workerDirectory);
        registerPythonUdf(spark, "xray_upper", "upper", python, env);
        registerPythonUdf(spark, "xray_upper_failing", "fail-on:" + FAILING_ARGUMENT, python, env);
        Dataset<Row> names = spark.range(0, ROWS, 1, PARTITIONS).selectExpr("concat('name-', id) AS name");

        List<Row> upper = names.selectExpr("xray_upper(name) AS upper").collectAsList();
        boolean allUpper = upper.size() == ROWS
                && upper.stream().allMatch(row -> row.getString(0).startsWith("NAME-"));
        System.out.println("scenario python-udf " + (allUpper ? "ok" : "wrong-results " + upper.size()));

        try {
            names.selectExpr("xray_upper_failing(name) AS upper").collectAsList();
            System.out.println("scenario python-udf-failing did-not-fail");
        } catch (Exception e) { // a SparkException, which Scala's collectAsList does not declare
            boolean planned = e instanceof SparkException
                    && String.valueOf(e.getMessage()).contains("planned failure of the Python UDF");
            System.out.println("scenario python-udf-failing " + (planned ? "failed-as-planned" : "failed " + e));
        }
        spark.stop();
    }

    /** {@code spark.udf.registerPython(name, UserDefinedPythonFunction(name, SimplePythonFunction(...), ...))}. */
    private static void registerPythonUdf(SparkSession spark, String name, String command, String python,
                                          Map<String, String> env) throws Exception {
        ClassLoader loader = SparkSession.class.getClassLoader();
        Class<?> functionClass = Class.forName("org.apache.spark.api.python.SimplePythonFunction", true, loader);
        Class<?> accumulatorClass = Class.forName("org.apache.spark.api.python.PythonAccumulatorV2", true, loader);
        Constructor<?> newFunction = functionClass.getConstructor(byte[].class, Map.class, List.class,
                String.class, String.class, List.class, accumulatorClass);
        Object function = newFunction.newInstance(command.getBytes(StandardCharsets.UTF_8), env,
                Collections.emptyList(), python, "3.11", Collections.emptyList(), null);

        Class<?> udfClass = Class.forName("org.apache.spark.sql.execution.python.UserDefinedPythonFunction",
                true, loader);
        Class<?> pythonFunctionClass = Class.forName("org.apache.spark.api.python.PythonFunction", true, loader);
        Object udf = udfClass.getConstructor(String.class, pythonFunctionClass,
                        Class.forName("org.apache.spark.sql.types.DataType", true, loader), int.class, boolean.class)
                .newInstance(name, function, DataTypes.StringType, SQL_BATCHED_UDF, true);
        Object registration = spark.udf();
        registration.getClass().getMethod("registerPython", String.class, udfClass).invoke(registration, name, udf);
    }
}
