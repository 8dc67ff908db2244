package org.apache.spark.api.plugin;

import org.apache.spark.SparkConf;

/** Compile-only copy of the one method of Spark's interface (3.0+) the plugin calls. */
public interface PluginContext {
    SparkConf conf();
}
