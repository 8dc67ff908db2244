package dev.xraybatch.agent.spark;

import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * The agent as a Spark plugin, for platforms where no {@code -javaagent} path can be put on the JVM command line
 * (Glue: {@code --extra-jars s3://.../xray-batch-agent.jar} and
 * {@code --conf spark.plugins=dev.xraybatch.agent.spark.XRaySparkPlugin}). The driver and executor parts install
 * the agent at run time; from then on the trace is the one {@code -javaagent} gives.
 *
 * <p>Spark calls these methods inside {@code SparkContext}'s constructor and the executor's: nothing here may
 * throw, or the job would not start.
 */
public final class XRaySparkPlugin implements SparkPlugin {

    @Override
    public DriverPlugin driverPlugin() {
        return new XRayDriverPlugin();
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new XRayExecutorPlugin();
    }
}
