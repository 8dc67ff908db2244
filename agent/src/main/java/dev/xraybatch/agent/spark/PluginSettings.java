package dev.xraybatch.agent.spark;

import dev.xraybatch.agent.config.AgentConfig;
import dev.xraybatch.agent.config.Settings;
import dev.xraybatch.agent.log.AgentLog;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The agent's settings as Spark confs: {@code spark.xraybatch.<setting key>} (e.g.
 * {@code spark.xraybatch.spark.slow_task_ms=5000}, {@code spark.xraybatch.config=s3://bucket/xray.yaml}) become
 * the agent arguments {@code -javaagent:jar=key=value,...} would carry, so they rank above system properties,
 * the environment and the file, as agent arguments do. Spark hands every {@code spark.*} conf to the executors,
 * so both parts read the same settings.
 */
final class PluginSettings {
    static final String CONF_PREFIX = "spark.xraybatch.";

    private PluginSettings() {
    }

    /**
     * Reads and reports the settings. @return the agent arguments, or null when the configured file cannot be
     * had: like an unreadable file with {@code -javaagent}, the JVM then runs untraced
     */
    static String agentArguments(Object sparkConf, String role) {
        Map<String, String> confs = SparkConfs.withPrefix(sparkConf, CONF_PREFIX);
        if ("true".equalsIgnoreCase(String.valueOf(confs.get(Settings.DEBUG.key())).trim())) {
            AgentLog.enableDebug(true);
        }
        ConfigLocation location = new ConfigLocation(Paths.get(System.getProperty("user.dir", ".")),
                new HadoopDownload(sparkConf));
        List<String> problems = new ArrayList<>();
        String arguments = withGlueJobName(toAgentArguments(confs, location, problems),
                SparkConfs.withPrefix(sparkConf, "spark.glue.").get("JOB_NAME"), System.getenv(),
                System.getProperties());
        for (String problem : problems) {
            AgentLog.problem(problem);
        }
        if (arguments == null) {
            AgentLog.problem("the Spark " + role + " runs untraced");
        }
        return arguments;
    }

    /**
     * On Glue the root segment is named after the job (as {@code -javaagent} names it from Glue's
     * {@code --JOB_NAME} argument, which executors do not get), unless a name is configured anywhere: the
     * arguments, a system property, the environment or the file.
     */
    static String withGlueJobName(String arguments, String glueJobName, Map<String, String> env,
                                  Properties systemProperties) {
        if (arguments == null || glueJobName == null || glueJobName.trim().isEmpty()
                || glueJobName.indexOf(',') >= 0 || env.get("AWS_XRAY_TRACING_NAME") != null
                || AgentConfig.read(arguments, env, systemProperties).serviceName() != null) {
            return arguments;
        }
        String name = Settings.SERVICE_NAME.key() + "=" + glueJobName.trim();
        return arguments.isEmpty() ? name : arguments + "," + name;
    }

    /**
     * @param confs the {@code spark.xraybatch.*} confs without their prefix
     * @return {@code key=value,...} in key order, or null when {@code config} names a file that cannot be had
     */
    static String toAgentArguments(Map<String, String> confs, ConfigLocation location, List<String> problems) {
        StringBuilder arguments = new StringBuilder();
        for (Map.Entry<String, String> conf : new TreeMap<>(confs).entrySet()) {
            String key = conf.getKey();
            String value = conf.getValue() == null ? "" : conf.getValue().trim();
            if (Settings.byKey(key) == null) {
                problems.add(CONF_PREFIX + key + ": unknown setting, ignored (docs/configuration.md lists the"
                        + " settings; write them as " + CONF_PREFIX + "<key>)");
                continue;
            }
            if (key.equals(Settings.CONFIG.key())) {
                value = location.localPath(value, problems);
                if (value == null) {
                    return null;
                }
            }
            // Agent arguments are split at commas; no setting's value needs one.
            if (value.indexOf(',') >= 0) {
                problems.add(CONF_PREFIX + key + ": a value containing ',' cannot be passed to the agent, ignored");
                continue;
            }
            if (arguments.length() > 0) {
                arguments.append(',');
            }
            arguments.append(key).append('=').append(value);
        }
        return arguments.toString();
    }
}
