package org.apache.spark;

/** Compile-only: appears in {@code DriverPlugin.init}'s signature; the plugin reads it reflectively. */
public class SparkContext {
}
