package org.apache.spark.api.plugin;

/** Compile-only copy of Spark's interface (3.0+). */
public interface SparkPlugin {
    DriverPlugin driverPlugin();

    ExecutorPlugin executorPlugin();
}
