/**
 * The Spark plugin route, for Glue and anywhere no {@code -javaagent} path can be put on the JVM command line:
 * {@code --conf spark.plugins=dev.xraybatch.agent.spark.XRaySparkPlugin} with the agent jar only on the class path
 * ({@code --extra-jars} on Glue, {@code --jars} or the driver/executor class path elsewhere).
 *
 * <p>The driver and executor parts install the agent at run time (byte-buddy-agent; on JDK 9+ without
 * {@code -Djdk.attach.allowAttachSelf} it attaches from a helper JVM started from this jar) and start it as
 * {@code -javaagent} would, retransforming the classes already loaded; the hook points themselves live in
 * {@code dev.xraybatch.agent.instrument.spark}. A JVM that already has the agent keeps it.
 *
 * <p>Settings: {@code spark.xraybatch.<key>} confs become agent arguments. {@code spark.xraybatch.config} is a
 * local path, or a URL ({@code s3://...}) taken from the working directory when a file of that name was shipped
 * there ({@code --files}; Glue's {@code --extra-files}, driver only) and otherwise read through Hadoop's file
 * system with the job's own credentials.
 *
 * <p>Spark's plugin interfaces are compiled against copies in {@code src/spark-plugin-api}, kept out of the jar.
 */
package dev.xraybatch.agent.spark;
