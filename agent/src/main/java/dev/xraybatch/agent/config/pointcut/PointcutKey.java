package dev.xraybatch.agent.config.pointcut;

/**
 * The keys of one pointcut entry, with what each means. The parser accepts exactly these and the configuration
 * reference is generated from them.
 */
public enum PointcutKey {
    CLASSES("classes", "pattern or list", "required",
            "Classes whose methods are traced: `com.acme.Loader`, `com.acme.etl.*` (one package), `com.acme.**` (and sub-packages), `com.acme.**.*Job`."),
    EXCLUDE("exclude", "pattern or list", "none",
            "Classes left out even though `classes` matches them; same patterns."),
    SUBTYPES_OF("subtypes_of", "class name or list", "any class",
            "Only classes that extend or implement one of these (exact names; the type itself if it is a class)."),
    CLASSES_ANNOTATED_WITH("classes_annotated_with", "class name or list", "any class",
            "Only classes carrying one of these annotations (declared or @Inherited)."),
    METHODS("methods", "pattern or list", "all methods",
            "Method names with `*` wildcards, optionally with argument types: `process*`, `load(String, int)`, `run()`, `put(String, *)`."),
    METHODS_ANNOTATED_WITH("methods_annotated_with", "class name or list", "any method",
            "Only methods carrying one of these annotations."),
    VISIBILITY("visibility", "one or a list of public, protected, package, private", "any",
            "Only methods with one of these visibilities."),
    NAME("name", "template", "`{class}.{method}`",
            "Subsegment name: text with `{class}`, `{package}`, `{method}`, `{this...}`, `{argN...}` placeholders, e.g. `load {arg0.table}`."),
    ANNOTATIONS("annotations", "key: path lines", "none",
            "X-Ray annotations (indexed, searchable) read from `argN`, `this` or `return` paths, e.g. `rows: return.size`. Keys: letters, digits, _."),
    METADATA("metadata", "key: path lines", "none",
            "Metadata (not indexed) under the `default` namespace, read like annotations."),
    RECORD_EXCEPTIONS("record_exceptions", "true/false", "true",
            "Whether an exception leaving the method is recorded (type, message, stack); when false the subsegment is only marked as fault."),
    LIMIT("limit", "whole number >= 1", "100",
            "Subsegments per name template under one parent (a name built from data, 'load {arg0}', counts against its template); later calls are only counted into one summary subsegment per window of long_jobs.window_s, named after the template (count, errors, total/min/max duration, slowest call), and failed ones are also kept whole, 10 per window.");

    public static final int DEFAULT_LIMIT = 100;

    private final String yamlKey;
    private final String type;
    private final String defaultText;
    private final String description;

    PointcutKey(String yamlKey, String type, String defaultText, String description) {
        this.yamlKey = yamlKey;
        this.type = type;
        this.defaultText = defaultText;
        this.description = description;
    }

    public String yamlKey() {
        return yamlKey;
    }

    public String type() {
        return type;
    }

    public String defaultText() {
        return defaultText;
    }

    public String description() {
        return description;
    }

    /** The key written in YAML, or null. */
    public static PointcutKey fromYaml(String key) {
        for (PointcutKey candidate : values()) {
            if (candidate.yamlKey.equals(key)) {
                return candidate;
            }
        }
        return null;
    }
}
