package dev.xraybatch.agenttests.spark;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.ForeachFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

import com.amazonaws.services.glue.StandInHadoopSink;

import py4j.reflection.ReflectionEngine;

/**
 * The driver program of the Spark ITs: one Spark context runs every scenario the issue lists, in order, then
 * stops. It runs in a child JVM with the agent; the IT asserts the trace. Each scenario prints one line
 * {@code scenario <name> ok|failed-as-planned} so a broken run says where it broke.
 *
 * <p>Arguments: master URL, scratch directory, and how the driver ends ({@link Ending}, {@code stop} when left
 * out). Other Spark settings come as {@code -Dspark.*} system properties
 * (SparkConf reads them), so the IT decides them without this program knowing about agents.
 */
public final class SparkScenarioJob {

    /** The scenario names, in run order; the ITs expect one action subsegment for each. */
    public static final List<String> SCENARIOS = List.of(
            "count", "show", "collect", "foreach", "write-parquet", "sql-ctas", "cache-count", "rdd-take",
            "rdd-save-as-text-file", "retried-task", "failing-action", "java-udf", "dataset-to-rdd",
            "pyspark-show", "pyspark-collect", "glue-write-dynamic-frame");

    /** Message of the exception that the failing-action scenario's tasks throw every time. */
    public static final String PLANNED_FAILURE = "planned failure of the failing-action scenario";
    /** Message of the exception that the retried-task scenario throws on the first attempt only. */
    public static final String PLANNED_FIRST_ATTEMPT_FAILURE = "planned first-attempt failure";

    /** The ways a Spark driver ends; each must flush the whole trace. */
    public enum Ending {
        /** {@code spark.stop()}, then main returns. */
        STOP,
        /** Main returns without stopping: Spark's own shutdown hook stops the context. */
        NO_STOP,
        /** {@code System.exit(0)} without stopping, as PySpark's gateway JVM ends. */
        EXIT
    }

    private SparkScenarioJob() {
    }

    public static void main(String[] args) throws Exception {
        String master = args[0];
        File scratch = new File(args[1]);
        Ending ending = args.length > 2 ? Ending.valueOf(args[2]) : Ending.STOP;
        SparkSession spark = SparkSession.builder()
                .appName("xray-spark-scenarios")
                .master(master)
                .config("spark.sql.warehouse.dir", new File(scratch, "warehouse").getAbsolutePath())
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());

        Map<String, Runnable> scenarios = new LinkedHashMap<>();
        Dataset<Row> keyed = spark.range(0, 20_000).selectExpr("id", "id % 10 AS k");
        scenarios.put("count", () -> keyed.count());
        scenarios.put("show", () -> keyed.groupBy("k").count().show(3));
        scenarios.put("collect", () -> keyed.filter("k = 1").collectAsList());
        scenarios.put("foreach", () -> keyed.foreach((ForeachFunction<Row>) row -> { }));
        scenarios.put("write-parquet", () -> keyed.write().mode("overwrite")
                .parquet(new File(scratch, "parquet").getAbsolutePath()));
        scenarios.put("sql-ctas", () -> spark.sql("CREATE TABLE ctas USING parquet AS "
                + "SELECT id % 7 AS k, count(*) AS n FROM range(0, 1000) GROUP BY id % 7"));
        scenarios.put("cache-count", () -> keyed.filter("k < 5").cache().count());
        // Ten partitions, the matching rows only in the last ones: take scans partitions in several jobs.
        scenarios.put("rdd-take", () -> numbers(jsc, 100, 10).filter(x -> x > 95).take(3));
        scenarios.put("rdd-save-as-text-file", () -> numbers(jsc, 100, 4)
                .saveAsTextFile(new File(scratch, "text").getAbsolutePath()));
        scenarios.put("retried-task", () -> numbers(jsc, 8, 2).map(x -> {
            TaskContext task = TaskContext.get();
            if (task.partitionId() == 0 && task.attemptNumber() == 0) {
                throw new IllegalStateException(PLANNED_FIRST_ATTEMPT_FAILURE);
            }
            return x;
        }).count());
        scenarios.put("failing-action", () -> numbers(jsc, 8, 2).map(x -> {
            if (x >= 0) {
                throw new IllegalStateException(PLANNED_FAILURE);
            }
            return x;
        }).count());
        scenarios.put("java-udf", () -> {
            spark.udf().register("plus_one", (UDF1<Long, Long>) x -> x + 1, DataTypes.LongType);
            spark.sql("SELECT sum(plus_one(id)) FROM range(0, 5000)").collectAsList();
        });
        // Spark 4.0 runs Dataset.rdd in a SQL execution of its own that runs no job: only the count is an action.
        scenarios.put("dataset-to-rdd", () -> keyed.javaRDD().count());
        // PySpark calls these through Py4J's reflection, under its own names (showString, collectToPython).
        scenarios.put("pyspark-show", () -> callThroughPy4j(keyed.groupBy("k").count(), "showString", 3, 20, false));
        scenarios.put("pyspark-collect", () -> callThroughPy4j(keyed.filter("k = 2"), "collectToPython"));
        // A Glue DynamicFrame write (a stand-in sink: Glue's library is not on Maven Central) runs two jobs.
        scenarios.put("glue-write-dynamic-frame", () -> new StandInHadoopSink(new File(scratch, "glue-sink"))
                .writeDynamicFrame(numbers(jsc, 50, 2).map(String::valueOf)));
        if (!scenarios.keySet().equals(new LinkedHashSet<>(SCENARIOS))) {
            throw new AssertionError("scenario list out of date: " + scenarios.keySet());
        }

        for (Map.Entry<String, Runnable> scenario : scenarios.entrySet()) {
            try {
                scenario.getValue().run();
                System.out.println("scenario " + scenario.getKey() + " ok");
            } catch (Exception e) { // Scala rethrows the checked SparkException undeclared
                if (!scenario.getKey().equals("failing-action") || !(e instanceof SparkException)
                        || !String.valueOf(e.getMessage()).contains(PLANNED_FAILURE)) {
                    throw e;
                }
                System.out.println("scenario " + scenario.getKey() + " failed-as-planned");
            }
        }
        System.out.println("ending " + ending);
        switch (ending) {
            case STOP -> spark.stop();
            case NO_STOP -> { }
            case EXIT -> System.exit(0);
        }
    }

    /** Calls a method the way PySpark's Py4J gateway does: looked up and invoked by py4j's reflection engine. */
    private static void callThroughPy4j(Object target, String method, Object... args) {
        try {
            new ReflectionEngine().getMethod(target, method, args).invoke(target, args);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JavaRDD<Integer> numbers(JavaSparkContext jsc, int count, int partitions) {
        List<Integer> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(i);
        }
        return jsc.parallelize(values, partitions);
    }
}
