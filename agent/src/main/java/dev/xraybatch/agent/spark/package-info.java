/**
 * The Spark plugin route (Glue and anywhere no {@code -javaagent} path can be put on the JVM command line):
 * {@code --conf spark.plugins=dev.xraybatch.agent.spark.XRaySparkPlugin} with the agent jar only on the class path.
 * Its driver and executor parts install the agent at run time and then trace exactly as {@code -javaagent} does.
 * Being built here; the hook points it reuses live in {@code dev.xraybatch.agent.instrument.spark}.
 */
package dev.xraybatch.agent.spark;
