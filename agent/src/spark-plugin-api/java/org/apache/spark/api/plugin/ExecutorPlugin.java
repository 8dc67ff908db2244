package org.apache.spark.api.plugin;

import java.util.Map;

/** Compile-only copy of the methods of Spark's interface (3.0+) the plugin overrides. */
public interface ExecutorPlugin {
    default void init(PluginContext ctx, Map<String, String> extraConf) {
    }
}
