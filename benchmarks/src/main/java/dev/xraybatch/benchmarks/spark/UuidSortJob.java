package dev.xraybatch.benchmarks.spark;

import static org.apache.spark.sql.functions.call_udf;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.udf;

import java.util.UUID;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/**
 * The Spark job of {@code shared/reference/anchors.md}, the shape of sample-jobs' {@code UuidSortJob}: a range of
 * rows, each given a random UUID by a UDF, sorted by it and counted, then grouped by the UUID's first character and
 * collected. The master and everything else come from system properties, as spark-submit would set them.
 *
 * <p>Usage: {@code UuidSortJob [rows]} (default 2,000,000).
 */
public final class UuidSortJob {
    private UuidSortJob() {
    }

    public static void main(String[] args) {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000L;
        SparkSession spark = SparkSession.builder().appName("uuid-sort-benchmark").getOrCreate();
        try {
            spark.udf().register("random_uuid", udf(new RandomUuid(), DataTypes.StringType).asNondeterministic());
            Dataset<Row> withUuids = spark.range(rows).withColumn("uuid", call_udf("random_uuid", col("id")));
            // A plain count would let Spark drop the UDF and the sort; counting the cached sorted rows computes them.
            Dataset<Row> sorted = withUuids.orderBy("uuid").cache();
            long counted = sorted.count();
            int groups = sorted.groupBy(substring(col("uuid"), 1, 1)).count().collectAsList().size();
            System.out.println("counted " + counted + " rows sorted by a random UUID, " + groups + " groups");
        } finally {
            spark.stop();
        }
    }

    /** A class of its own (not a lambda), as in the sample job. */
    static final class RandomUuid implements UDF1<Long, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String call(Long id) {
            return UUID.randomUUID().toString();
        }
    }
}
