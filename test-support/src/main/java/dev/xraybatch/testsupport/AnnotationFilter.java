package dev.xraybatch.testsupport;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of X-Ray's filter expression language (GetTraceSummaries' {@code FilterExpression}) the local endpoint
 * answers: equality on annotations, {@code annotation.<key> = "<string>"}, {@code = <number>} or
 * {@code = true|false}, joined by {@code AND}. Anything else is refused, never ignored: a filter that matched more
 * than X-Ray's would make a test pass that fails against X-Ray.
 */
final class AnnotationFilter {

    /** An expression outside the supported part; the endpoint answers it with InvalidRequestException. */
    static final class Unsupported extends Exception {
        Unsupported(String message) {
            super(message);
        }
    }

    /** One {@code annotation.key = value}; the value is a string, a double or a boolean. */
    private record Condition(String key, Object value) {
        boolean matches(JsonNode annotation) {
            if (value instanceof String text) {
                return annotation.isTextual() && annotation.asText().equals(text);
            }
            if (value instanceof Double number) {
                return annotation.isNumber() && annotation.asDouble() == number;
            }
            return annotation.isBoolean() && annotation.asBoolean() == (Boolean) value;
        }
    }

    static final String SUPPORTED = "the local X-Ray endpoint supports only annotation.<key> = \"<string>\","
            + " annotation.<key> = <number> and annotation.<key> = true|false, joined by AND";

    private static final Pattern CONDITION = Pattern.compile(
            "\\s*annotation\\.([A-Za-z0-9_]+)\\s*=\\s*"
                    + "(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)|(true|false))\\s*");
    private static final Pattern AND = Pattern.compile("(?i)AND(?=\\s)");

    private final List<Condition> conditions;

    private AnnotationFilter(List<Condition> conditions) {
        this.conditions = conditions;
    }

    /** A blank or absent expression matches every trace. */
    static AnnotationFilter parse(String expression) throws Unsupported {
        List<Condition> conditions = new ArrayList<>();
        if (expression == null || expression.isBlank()) {
            return new AnnotationFilter(conditions);
        }
        Matcher condition = CONDITION.matcher(expression);
        Matcher and = AND.matcher(expression);
        int at = 0;
        while (true) {
            condition.region(at, expression.length());
            if (!condition.lookingAt()) {
                throw new Unsupported("FilterExpression '" + expression + "' is not supported at character " + at
                        + " ('" + expression.substring(at) + "'): " + SUPPORTED);
            }
            String key = condition.group(1);
            Object value;
            if (condition.group(2) != null) {
                value = condition.group(2).replaceAll("\\\\(.)", "$1");
            } else if (condition.group(3) != null) {
                value = Double.parseDouble(condition.group(3));
            } else {
                value = Boolean.parseBoolean(condition.group(4));
            }
            conditions.add(new Condition(key, value));
            at = condition.end();
            if (at == expression.length()) {
                return new AnnotationFilter(conditions);
            }
            and.region(at, expression.length());
            if (!and.lookingAt()) {
                throw new Unsupported("FilterExpression '" + expression + "' is not supported at character " + at
                        + " ('" + expression.substring(at) + "'): " + SUPPORTED);
            }
            at = and.end();
        }
    }

    /** True when every condition holds for some segment or subsegment of the trace. */
    boolean matches(Trace trace) {
        for (Condition condition : conditions) {
            boolean found = false;
            for (TraceNode node : trace.nodes()) {
                JsonNode annotation = node.annotation(condition.key());
                if (!annotation.isMissingNode() && condition.matches(annotation)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }
}
