package dev.xraybatch.samples.sparkuuid;

import static org.apache.spark.sql.functions.call_udf;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * 100,000 rows, each given a random UUID by a UDF, sorted by it and counted.
 *
 * <pre>spark-submit --class dev.xraybatch.samples.sparkuuid.UuidSortJob sample-jobs.jar [rows]</pre>
 *
 * The master comes from spark-submit (or {@code -Dspark.master=local[2]}). Nothing here knows about tracing: the
 * agent traces the action, its jobs and stages; {@code spark-uuid/xray-batch.yaml} adds the UDF's calls.
 */
public final class UuidSortJob {
    private UuidSortJob() {
    }

    public static void main(String[] args) {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 100_000L;
        SparkSession spark = SparkSession.builder().appName("uuid-sort").getOrCreate();
        try {
            spark.udf().register("random_uuid", udf(new RandomUuid(), DataTypes.StringType).asNondeterministic());
            Dataset<Row> withUuids = spark.range(rows).withColumn("uuid", call_udf("random_uuid", col("id")));
            // A plain count would let Spark drop the UUID column and the sort, which a count does not need; counting
            // the cached, sorted rows makes it compute every one of them.
            long counted = withUuids.orderBy("uuid").cache().count();
            System.out.println("counted " + counted + " rows sorted by a random UUID");
        } finally {
            spark.stop();
        }
    }
}
