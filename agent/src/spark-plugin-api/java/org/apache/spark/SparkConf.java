package org.apache.spark;

/** Compile-only: returned by {@code PluginContext.conf()}; the plugin reads it reflectively. */
public class SparkConf {
}
