package dev.xraybatch.agent.spark;

import dev.xraybatch.agent.log.AgentLog;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;

import java.util.Map;

/**
 * Starts the agent in an executor JVM, before it runs its first task. In local mode the executor lives in the
 * driver's JVM, where the driver part has already started the agent; this part then does nothing.
 */
final class XRayExecutorPlugin implements ExecutorPlugin {

    @Override
    public void init(PluginContext ctx, Map<String, String> extraConf) {
        try {
            if (RuntimeAgent.runningInThisJvm()) {
                return;
            }
            String agentArgs = PluginSettings.agentArguments(ctx.conf(), "executor");
            if (agentArgs != null) {
                RuntimeAgent.start(agentArgs, "executor");
            }
        } catch (Throwable t) {
            AgentLog.internalError("the Spark plugin on an executor", t);
        }
    }
}
