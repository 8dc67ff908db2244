package org.apache.spark.api.plugin;

import java.util.Collections;
import java.util.Map;

import org.apache.spark.SparkContext;

/** Compile-only copy of the methods of Spark's interface (3.0+) the plugin overrides. */
public interface DriverPlugin {
    default Map<String, String> init(SparkContext sc, PluginContext pluginContext) {
        return Collections.emptyMap();
    }

    default void registerMetrics(String appId, PluginContext pluginContext) {
    }
}
