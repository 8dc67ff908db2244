package dev.xraybatch.agenttests.spark;

import org.apache.spark.sql.SparkSession;

/** The smallest Spark driver: one action, then stop. For ITs about how the agent arrives, not what it records. */
public final class SparkCountJob {
    private SparkCountJob() {
    }

    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().appName("xray-spark-count").master(args[0])
                .config("spark.ui.enabled", "false").getOrCreate();
        System.out.println("counted " + spark.range(0, 1000).count());
        spark.stop();
    }
}
