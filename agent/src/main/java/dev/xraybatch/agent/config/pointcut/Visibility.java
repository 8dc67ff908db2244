package dev.xraybatch.agent.config.pointcut;

import java.util.Locale;

/** Method visibility as the YAML names it. */
public enum Visibility {
    PUBLIC, PROTECTED, PACKAGE, PRIVATE;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The visibility named in YAML, or null. */
    public static Visibility fromYaml(String text) {
        for (Visibility visibility : values()) {
            if (visibility.yamlName().equals(text.trim())) {
                return visibility;
            }
        }
        return null;
    }
}
