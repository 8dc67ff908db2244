package dev.xraybatch.agent.config;

import dev.xraybatch.agent.config.pointcut.Pointcut;
import dev.xraybatch.agent.log.AgentLog;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's settings and pointcuts, resolved once at start. Each setting comes from the first source that has
 * it: agent arguments ({@code -javaagent:jar=key=value,key2=value2}), system properties {@code xraybatch.<key>},
 * environment variables {@code XRAY_BATCH_<KEY>}, the YAML file ({@code config=/path.yaml}, also
 * {@code -Dxraybatch.config} and {@code XRAY_BATCH_CONFIG}), then the default.
 *
 * <p>Problems never stop the job: a bad value is reported and the next source (or the default) applies; a bad
 * pointcut is reported and skipped; a file that cannot be read or parsed is reported and the job is traced as with
 * no config file: a mistake in the file costs only what the file configured.
 */
public final class AgentConfig {
    private final Map<Setting<?>, Object> values;
    private final Map<Setting<?>, String> sources;
    private final List<Pointcut> pointcuts;
    private final boolean tracingEnabled;
    private final boolean configFileUsable;
    private final List<String> problems;

    private AgentConfig(Map<Setting<?>, Object> values, Map<Setting<?>, String> sources, List<Pointcut> pointcuts,
                        boolean tracingEnabled, boolean configFileUsable, List<String> problems) {
        this.values = values;
        this.sources = sources;
        this.pointcuts = Collections.unmodifiableList(pointcuts);
        this.tracingEnabled = tracingEnabled;
        this.configFileUsable = configFileUsable;
        this.problems = Collections.unmodifiableList(problems);
    }

    /** Reads the configuration and reports its problems on stderr. Never throws. */
    public static AgentConfig load(String agentArgs, Map<String, String> env, Properties sysProps) {
        try {
            AgentConfig config = read(agentArgs, env, sysProps);
            for (String problem : config.problems) {
                AgentLog.problem(problem);
            }
            return config;
        } catch (Throwable t) {
            AgentLog.internalError("reading the configuration; the job runs untraced", t);
            return new AgentConfig(Collections.<Setting<?>, Object>emptyMap(),
                    Collections.<Setting<?>, String>emptyMap(), Collections.<Pointcut>emptyList(), false, false,
                    Collections.<String>emptyList());
        }
    }

    /** Reads the configuration without reporting; the problems are in {@link #problems()} (for the check tool). */
    public static AgentConfig read(String agentArgs, Map<String, String> env, Properties sysProps) {
        Problems problems = new Problems();
        Map<String, String> fromArgs = parseAgentArgs(agentArgs, problems);
        Map<String, String> fromProperties = settingsFromProperties(sysProps, problems);
        Map<String, String> fromEnv = settingsFromEnvironment(env, problems);

        String file = first(Settings.CONFIG.key(), fromArgs, fromProperties, fromEnv);
        ConfigFile configFile = file == null ? null : ConfigFile.read(file, problems);

        Map<Setting<?>, Object> values = new HashMap<>();
        Map<Setting<?>, String> sources = new HashMap<>();
        for (Setting<?> setting : Settings.all()) {
            resolve(setting, fromArgs, fromProperties, fromEnv, configFile, values, sources, problems);
        }
        boolean usable = configFile == null || configFile.usable;
        List<Pointcut> pointcuts = configFile == null ? Collections.<Pointcut>emptyList() : configFile.pointcuts;
        return new AgentConfig(values, sources, new ArrayList<>(pointcuts), true, usable,
                new ArrayList<>(problems.messages()));
    }

    private static void resolve(Setting<?> setting, Map<String, String> fromArgs, Map<String, String> fromProperties,
                                Map<String, String> fromEnv, ConfigFile file, Map<Setting<?>, Object> values,
                                Map<Setting<?>, String> sources, Problems problems) {
        String key = setting.key();
        String[][] outside = {
                {fromArgs.get(key), "agent argument " + key},
                {fromProperties.get(key), "system property " + setting.propertyName()},
                {fromEnv.get(key), "environment variable " + setting.environmentName()},
        };
        for (String[] candidate : outside) {
            if (candidate[0] == null) {
                continue;
            }
            try {
                values.put(setting, setting.parse(candidate[0]));
                sources.put(setting, candidate[1]);
                return;
            } catch (IllegalArgumentException e) {
                problems.add(candidate[1] + ": " + e.getMessage());
            }
        }
        ConfigFile.RawValue raw = file == null ? null : file.values.get(key);
        if (raw != null) {
            values.put(setting, setting.parse(raw.text)); // already validated while reading the file
            sources.put(setting, problems.fileName());
            return;
        }
        values.put(setting, setting.defaultValue());
        sources.put(setting, "default");
    }

    /** {@code key=value,key2=value2}; a value may contain '=' (trace headers do) but not ','. */
    private static Map<String, String> parseAgentArgs(String agentArgs, Problems problems) {
        Map<String, String> result = new LinkedHashMap<>();
        if (agentArgs == null || agentArgs.trim().isEmpty()) {
            return result;
        }
        for (String part : agentArgs.split(",")) {
            if (part.trim().isEmpty()) {
                continue;
            }
            int equals = part.indexOf('=');
            if (equals <= 0) {
                problems.add("agent argument '" + part + "': expected key=value, e.g. "
                        + "-javaagent:xray-batch-agent.jar=config=/opt/xray-batch.yaml");
                continue;
            }
            String key = part.substring(0, equals).trim();
            if (Settings.byKey(key) == null) {
                problems.add("agent argument '" + key + "': unknown setting; " + suggestion(key, ""));
                continue;
            }
            result.put(key, part.substring(equals + 1));
        }
        return result;
    }

    /** "did you mean" for a mistyped agent argument or system property, written as the user would write it. */
    private static String suggestion(String key, String prefix) {
        Setting<?> closest = Suggestions.closestSetting(key, false);
        if (closest != null) {
            return "did you mean '" + prefix + closest.key() + "'?";
        }
        List<String> known = new ArrayList<>();
        for (Setting<?> setting : Settings.all()) {
            known.add(prefix + setting.key());
        }
        return "known settings are " + String.join(", ", known) + " (see docs/configuration.md)";
    }

    private static Map<String, String> settingsFromProperties(Properties sysProps, Problems problems) {
        Map<String, String> result = new HashMap<>();
        if (sysProps == null) {
            return result;
        }
        for (String name : sysProps.stringPropertyNames()) {
            if (!name.startsWith("xraybatch.")) {
                continue;
            }
            String key = name.substring("xraybatch.".length());
            if (Settings.byKey(key) == null) {
                problems.add("system property " + name + ": unknown setting; " + suggestion(key, "xraybatch."));
            } else {
                result.put(key, sysProps.getProperty(name));
            }
        }
        return result;
    }

    private static Map<String, String> settingsFromEnvironment(Map<String, String> env, Problems problems) {
        Map<String, String> result = new HashMap<>();
        if (env == null) {
            return result;
        }
        Map<String, Setting<?>> byEnvName = new HashMap<>();
        for (Setting<?> setting : Settings.all()) {
            byEnvName.put(setting.environmentName(), setting);
        }
        for (Map.Entry<String, String> variable : env.entrySet()) {
            String name = variable.getKey();
            if (!name.startsWith("XRAY_BATCH_")) {
                continue;
            }
            Setting<?> setting = byEnvName.get(name);
            if (setting == null) {
                Setting<?> closest = Suggestions.closestSetting(name.substring("XRAY_BATCH_".length()), false);
                problems.add("environment variable " + name + ": unknown setting; " + (closest != null
                        ? "did you mean '" + closest.environmentName() + "'?"
                        : "known settings are named XRAY_BATCH_<KEY> (see docs/configuration.md)"));
            } else {
                result.put(setting.key(), variable.getValue());
            }
        }
        return result;
    }

    @SafeVarargs
    private static String first(String key, Map<String, String>... sources) {
        for (Map<String, String> source : sources) {
            String value = source.get(key);
            if (value != null && !value.trim().isEmpty()) {
                return value.trim();
            }
        }
        return null;
    }

    /** The resolved value of any setting (null for unset text settings). */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        return values.containsKey(setting) ? (T) values.get(setting) : setting.defaultValue();
    }

    /** Where a setting's value came from, e.g. "default", "agent argument region", the file's path. */
    public String sourceOf(Setting<?> setting) {
        String source = sources.get(setting);
        return source == null ? "default" : source;
    }

    /** False only when reading the configuration failed inside the agent: the job then runs untraced. */
    public boolean tracingEnabled() {
        return tracingEnabled;
    }

    /**
     * False when a config file was named but could not be read or parsed at all (the job is then traced as with
     * no config file); true when it was read, or when none was named.
     */
    public boolean configFileUsable() {
        return configFileUsable;
    }

    /** The valid pointcuts of the file, in file order (the bad ones were reported and left out). */
    public List<Pointcut> pointcuts() {
        return pointcuts;
    }

    /** Every problem found, one line each, as reported on stderr by {@link #load}. */
    public List<String> problems() {
        return problems;
    }

    public String configFile() {
        return get(Settings.CONFIG);
    }

    public String serviceName() {
        return get(Settings.SERVICE_NAME);
    }

    /** One of auto, xray, udp, file, none. */
    public String exporter() {
        return get(Settings.EXPORTER);
    }

    public String endpoint() {
        return get(Settings.ENDPOINT);
    }

    public String region() {
        return get(Settings.REGION);
    }

    public String daemonAddress() {
        return get(Settings.DAEMON_ADDRESS);
    }

    public String traceFile() {
        return get(Settings.TRACE_FILE);
    }

    public int queueSize() {
        return get(Settings.QUEUE_SIZE);
    }

    public int flushIdleMs() {
        return get(Settings.FLUSH_IDLE_MS);
    }

    public int shutdownDeadlineMs() {
        return get(Settings.SHUTDOWN_DEADLINE_MS);
    }

    public String traceHeader() {
        return get(Settings.TRACE_HEADER);
    }

    public boolean debug() {
        return get(Settings.DEBUG);
    }

    public boolean contextPropagation() {
        return get(Settings.CONTEXT_PROPAGATION);
    }
}
