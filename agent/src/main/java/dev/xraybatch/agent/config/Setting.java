package dev.xraybatch.agent.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * One agent setting: its key, type, default and a one-line description. The key is the same everywhere: the YAML
 * key, the agent argument ({@code -javaagent:jar=key=value}), the system property {@code xraybatch.<key>} and the
 * environment variable {@code XRAY_BATCH_<KEY>} (upper case, dots as underscores). A dotted key such as
 * {@code spark.enabled} is written in YAML as a nested section: {@code spark: {enabled: true}}.
 *
 * @param <T> String, Integer or Boolean
 */
public final class Setting<T> {
    /** How a raw value is read. */
    public enum Type {
        TEXT("text"), WHOLE_NUMBER("whole number"), BOOLEAN("true/false"), CHOICE("one of");

        final String label;

        Type(String label) {
            this.label = label;
        }
    }

    private final String key;
    private final Type type;
    private final T defaultValue;
    private final String description;
    private final List<String> choices;
    private final int minimum;
    private final int maximum;
    private final boolean allowedInFile;

    Setting(String key, Type type, T defaultValue, String description, List<String> choices, int minimum,
            boolean allowedInFile) {
        this(key, type, defaultValue, description, choices, minimum, Integer.MAX_VALUE, allowedInFile);
    }

    Setting(String key, Type type, T defaultValue, String description, List<String> choices, int minimum,
            int maximum, boolean allowedInFile) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
        this.choices = choices;
        this.minimum = minimum;
        this.maximum = maximum;
        this.allowedInFile = allowedInFile;
    }

    static Setting<String> text(String key, String defaultValue, String description) {
        return new Setting<>(key, Type.TEXT, defaultValue, description, Collections.<String>emptyList(), 0, true);
    }

    static Setting<Integer> wholeNumber(String key, int defaultValue, int minimum, String description) {
        return new Setting<>(key, Type.WHOLE_NUMBER, defaultValue, description, Collections.<String>emptyList(),
                minimum, true);
    }

    /** A whole number with an upper bound too: a larger value is reported, and the default used. */
    static Setting<Integer> wholeNumber(String key, int defaultValue, int minimum, int maximum, String description) {
        return new Setting<>(key, Type.WHOLE_NUMBER, defaultValue, description, Collections.<String>emptyList(),
                minimum, maximum, true);
    }

    static Setting<Boolean> flag(String key, boolean defaultValue, String description) {
        return new Setting<>(key, Type.BOOLEAN, defaultValue, description, Collections.<String>emptyList(), 0, true);
    }

    static Setting<String> choice(String key, String defaultValue, String description, String... choices) {
        return new Setting<>(key, Type.CHOICE, defaultValue, description, Arrays.asList(choices), 0, true);
    }

    /** A setting that only makes sense outside the file (the file's own path). */
    static Setting<String> outsideFile(String key, String description) {
        return new Setting<>(key, Type.TEXT, null, description, Collections.<String>emptyList(), 0, false);
    }

    public String key() {
        return key;
    }

    public Type type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    public List<String> choices() {
        return choices;
    }

    public boolean allowedInFile() {
        return allowedInFile;
    }

    public String propertyName() {
        return "xraybatch." + key;
    }

    public String environmentName() {
        return "XRAY_BATCH_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** The type as the reference documents it, e.g. {@code whole number >= 1} or {@code one of auto, xray}. */
    public String typeLabel() {
        switch (type) {
            case CHOICE:
                return "one of " + String.join(", ", choices);
            case WHOLE_NUMBER:
                return maximum == Integer.MAX_VALUE ? type.label + " >= " + minimum
                        : type.label + " " + minimum + ".." + maximum;
            default:
                return type.label;
        }
    }

    /** What a value must be, for messages: "a whole number", "one of auto, xray". */
    String expectation() {
        switch (type) {
            case CHOICE:
                return "one of " + String.join(", ", choices);
            case WHOLE_NUMBER:
                return "a whole number";
            case BOOLEAN:
                return "true or false";
            default:
                return "a single value";
        }
    }

    /**
     * Reads a raw value.
     *
     * @throws IllegalArgumentException with a message saying what is wrong and what to write instead
     */
    @SuppressWarnings("unchecked")
    T parse(String raw) {
        String value = raw.trim();
        switch (type) {
            case WHOLE_NUMBER:
                int number;
                try {
                    number = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + raw + "' is not a whole number; write e.g. "
                            + key + ": " + defaultValue);
                }
                if (number < minimum) {
                    throw new IllegalArgumentException(number + " is too small; use at least " + minimum);
                }
                if (number > maximum) {
                    throw new IllegalArgumentException(number + " is too large; use at most " + maximum);
                }
                return (T) Integer.valueOf(number);
            case BOOLEAN:
                if ("true".equalsIgnoreCase(value)) {
                    return (T) Boolean.TRUE;
                }
                if ("false".equalsIgnoreCase(value)) {
                    return (T) Boolean.FALSE;
                }
                throw new IllegalArgumentException("'" + raw + "' is not true or false; write true or false");
            case CHOICE:
                String lower = value.toLowerCase(Locale.ROOT);
                if (!choices.contains(lower)) {
                    throw new IllegalArgumentException("'" + raw + "' is not a known value; use one of "
                            + String.join(", ", choices));
                }
                return (T) lower;
            default:
                if (value.isEmpty()) {
                    throw new IllegalArgumentException("the value is empty; remove the setting or give a value");
                }
                return (T) value;
        }
    }

    @Override
    public String toString() {
        return key;
    }
}
