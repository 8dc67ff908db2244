package dev.xraybatch.agent.config.pointcut;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A subsegment name: fixed text with {@code {...}} placeholders. {@code {class}} is the simple name of the class
 * the method runs in, {@code {package}} its package, {@code {method}} the method's name; {@code {arg0}},
 * {@code {this.id}} and the other {@link ValuePath}s are read when the method starts. {@code return} is not
 * allowed: the name is fixed before the method returns.
 */
public final class NameTemplate {
    public static final String DEFAULT = "{class}.{method}";

    /** A piece of the name: fixed text, a name known when the method is instrumented, or a captured value. */
    public static final class Part {
        public enum Kind { TEXT, CLASS, PACKAGE, METHOD, VALUE }

        private final Kind kind;
        private final String text;
        private final ValuePath path;

        Part(Kind kind, String text, ValuePath path) {
            this.kind = kind;
            this.text = text;
            this.path = path;
        }

        public Kind kind() {
            return kind;
        }

        /** The fixed text for {@link Kind#TEXT}. */
        public String text() {
            return text;
        }

        /** The value's path for {@link Kind#VALUE}. */
        public ValuePath path() {
            return path;
        }
    }

    private final String text;
    private final List<Part> parts;

    private NameTemplate(String text, List<Part> parts) {
        this.text = text;
        this.parts = parts;
    }

    /** @throws IllegalArgumentException saying what is wrong and what to write instead */
    public static NameTemplate parse(String text) {
        List<Part> parts = new ArrayList<>();
        int position = 0;
        while (position < text.length()) {
            int open = text.indexOf('{', position);
            int close = text.indexOf('}', position);
            if (close >= 0 && (open < 0 || close < open)) {
                throw new IllegalArgumentException("'" + text + "' has a '}' without '{'; placeholders are written "
                        + "{arg0}, {class}, {method}");
            }
            if (open < 0) {
                parts.add(new Part(Part.Kind.TEXT, text.substring(position), null));
                break;
            }
            if (open > position) {
                parts.add(new Part(Part.Kind.TEXT, text.substring(position, open), null));
            }
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' has a '{' without '}'; placeholders are written "
                        + "{arg0}, {class}, {method}");
            }
            parts.add(placeholder(text, text.substring(open + 1, close).trim()));
            position = close + 1;
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("the name is empty; write e.g. \"" + DEFAULT + "\" or "
                    + "\"process {arg0}\"");
        }
        return new NameTemplate(text, Collections.unmodifiableList(parts));
    }

    private static Part placeholder(String text, String expression) {
        switch (expression) {
            case "class":
                return new Part(Part.Kind.CLASS, null, null);
            case "package":
                return new Part(Part.Kind.PACKAGE, null, null);
            case "method":
                return new Part(Part.Kind.METHOD, null, null);
            default:
                ValuePath path;
                try {
                    path = ValuePath.parse(expression);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + text + "': {" + expression + "} is not a placeholder; "
                            + "use {class}, {package}, {method}, {this...} or {argN...}, e.g. {arg0.key}");
                }
                if (path.root() == ValuePath.Root.RETURN) {
                    throw new IllegalArgumentException("'" + text + "': the name is set when the method starts, "
                            + "before it returns; put return values in annotations or metadata");
                }
                return new Part(Part.Kind.VALUE, null, path);
        }
    }

    public List<Part> parts() {
        return parts;
    }

    /** True when the name reads arguments or {@code this}, i.e. differs from call to call. */
    public boolean readsValues() {
        for (Part part : parts) {
            if (part.kind() == Part.Kind.VALUE) {
                return true;
            }
        }
        return false;
    }

    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
