package dev.xraybatch.agent.config;

import dev.xraybatch.agent.config.pointcut.PointcutKey;

/**
 * The tables of docs/configuration.md, generated from {@link Settings} and {@link PointcutKey} so that the
 * reference cannot drift from the code (a test compares them).
 */
public final class ConfigurationReference {
    private ConfigurationReference() {
    }

    public static String settingsTable() {
        StringBuilder table = new StringBuilder()
                .append("| key | type | default | system property / environment | description |\n")
                .append("|---|---|---|---|---|\n");
        for (Setting<?> setting : Settings.all()) {
            table.append("| `").append(setting.key()).append("` | ")
                    .append(setting.typeLabel()).append(" | ")
                    .append(setting.defaultValue() == null ? "unset" : "`" + setting.defaultValue() + "`").append(" | ")
                    .append('`').append(setting.propertyName()).append("` / `").append(setting.environmentName())
                    .append("` | ")
                    .append(setting.allowedInFile() ? "" : "(not in the file) ")
                    .append(escape(setting.description())).append(" |\n");
        }
        return table.toString();
    }

    public static String pointcutKeysTable() {
        StringBuilder table = new StringBuilder()
                .append("| key | value | default | meaning |\n")
                .append("|---|---|---|---|\n");
        for (PointcutKey key : PointcutKey.values()) {
            table.append("| `").append(key.yamlKey()).append("` | ")
                    .append(key.type()).append(" | ")
                    .append(key.defaultText()).append(" | ")
                    .append(escape(key.description())).append(" |\n");
        }
        return table.toString();
    }

    private static String escape(String text) {
        return text.replace("|", "\\|");
    }
}
