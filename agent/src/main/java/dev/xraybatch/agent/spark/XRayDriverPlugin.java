package dev.xraybatch.agent.spark;

import dev.xraybatch.agent.log.AgentLog;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.PluginContext;

import java.util.Collections;
import java.util.Map;

/**
 * Starts the agent on the driver. Spark runs {@link #init} in the middle of {@code SparkContext}'s constructor,
 * before it starts the listener bus, so the agent's listener hook still fires; the constructor itself is already
 * running and cannot get its advice, so the plugin records the context's start phase itself, from the context's
 * start time to {@link #registerMetrics} (Spark's last call into plugins, after executors registered).
 */
final class XRayDriverPlugin implements DriverPlugin {
    private SparkContext sparkContext;
    private Object startPhase;

    @Override
    public Map<String, String> init(SparkContext sc, PluginContext pluginContext) {
        try {
            if (RuntimeAgent.runningInThisJvm()) {
                return Collections.emptyMap(); // -javaagent: its constructor advice records the start phase
            }
            String agentArgs = PluginSettings.agentArguments(pluginContext.conf(), "driver");
            if (agentArgs != null && RuntimeAgent.start(agentArgs, "driver")) {
                sparkContext = sc;
                startPhase = ContextStartPhase.open(sc);
            }
        } catch (Throwable t) {
            AgentLog.internalError("the Spark plugin on the driver", t);
        }
        return Collections.emptyMap();
    }

    @Override
    public void registerMetrics(String appId, PluginContext pluginContext) {
        if (startPhase == null) {
            return;
        }
        try {
            ContextStartPhase.close(startPhase, sparkContext);
        } catch (Throwable t) {
            AgentLog.internalError("the Spark plugin on the driver", t);
        } finally {
            startPhase = null;
            sparkContext = null;
        }
    }
}
