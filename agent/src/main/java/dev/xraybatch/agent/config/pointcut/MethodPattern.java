package dev.xraybatch.agent.config.pointcut;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A method pattern: a name with {@code *} wildcards ({@code process*}), optionally with argument types:
 * {@code load(java.lang.String, int)}, {@code run()}, {@code put(String, *)}. A type without a package is
 * compared with the simple name ({@code String}, {@code Row[]}); {@code *} is any one argument.
 * Without parentheses any arguments match.
 */
public final class MethodPattern {
    public static final String ANY_TYPE = "*";

    private final String text;
    private final String name;
    private final Pattern nameRegex;
    private final List<String> argumentTypes;

    private MethodPattern(String text, String name, Pattern nameRegex, List<String> argumentTypes) {
        this.text = text;
        this.name = name;
        this.nameRegex = nameRegex;
        this.argumentTypes = argumentTypes;
    }

    /** @throws IllegalArgumentException saying what is wrong and what to write instead */
    public static MethodPattern parse(String text) {
        String pattern = text.trim();
        int open = pattern.indexOf('(');
        String name = open < 0 ? pattern : pattern.substring(0, open).trim();
        List<String> types = null;
        if (open >= 0) {
            if (!pattern.endsWith(")") || pattern.indexOf('(', open + 1) >= 0) {
                throw new IllegalArgumentException("'" + pattern + "' has unbalanced parentheses; write "
                        + "name(Type, Type), e.g. load(java.lang.String, int)");
            }
            types = parseTypes(pattern, pattern.substring(open + 1, pattern.length() - 1));
        }
        checkName(pattern, name);
        StringBuilder regex = new StringBuilder();
        for (String literal : name.split("\\*", -1)) {
            regex.append(Pattern.quote(literal)).append(".*");
        }
        regex.setLength(regex.length() - 2);
        return new MethodPattern(pattern, name, Pattern.compile(regex.toString()), types);
    }

    private static void checkName(String pattern, String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("'" + pattern + "' has no method name; write e.g. process* or "
                    + "load(String)");
        }
        if (name.equals("<init>") || name.equals("<clinit>")) {
            throw new IllegalArgumentException("constructors and type initializers are never traced; name a "
                    + "method instead");
        }
        if (name.indexOf('.') >= 0) {
            throw new IllegalArgumentException("'" + pattern + "' is a method pattern with a dot; put the class in "
                    + "'classes' and only the method name here");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != '*' && !Character.isJavaIdentifierPart(c)) {
                throw new IllegalArgumentException("'" + pattern + "' is not a method pattern: '" + c
                        + "' cannot appear in a method name; use letters, digits, _, $ and *");
            }
        }
    }

    private static List<String> parseTypes(String pattern, String list) {
        if (list.trim().isEmpty()) {
            return Collections.emptyList();
        }
        List<String> types = new ArrayList<>();
        for (String raw : list.split(",", -1)) {
            String type = raw.trim();
            String element = type;
            while (element.endsWith("[]")) {
                element = element.substring(0, element.length() - 2).trim();
            }
            boolean valid = !element.isEmpty();
            if (valid && !element.equals(ANY_TYPE)) {
                for (String segment : element.split("\\.", -1)) {
                    valid &= isIdentifier(segment);
                }
            }
            if (!valid || (element.equals(ANY_TYPE) && !type.equals(ANY_TYPE))) {
                throw new IllegalArgumentException("'" + pattern + "': '" + type + "' is not an argument type; write "
                        + "a class name (java.lang.String or String), a primitive (int), an array (byte[]) or * "
                        + "for any one argument");
            }
            types.add(type.replace(" ", ""));
        }
        return Collections.unmodifiableList(types);
    }

    private static boolean isIdentifier(String name) {
        if (name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            if (!Character.isJavaIdentifierPart(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    public boolean matchesName(String methodName) {
        return nameRegex.matcher(methodName).matches();
    }

    /**
     * Whether the argument types match.
     *
     * @param actualTypes the method's parameter types as source names, e.g. {@code java.lang.String},
     *                    {@code int}, {@code byte[]}, {@code com.acme.Outer$Inner}
     */
    public boolean matchesArguments(List<String> actualTypes) {
        if (argumentTypes == null) {
            return true;
        }
        if (argumentTypes.size() != actualTypes.size()) {
            return false;
        }
        for (int i = 0; i < argumentTypes.size(); i++) {
            String expected = argumentTypes.get(i);
            String actual = actualTypes.get(i);
            if (expected.equals(ANY_TYPE) || expected.equals(actual)) {
                continue;
            }
            if (expected.indexOf('.') < 0 && expected.equals(actual.substring(actual.lastIndexOf('.') + 1))) {
                continue;
            }
            return false;
        }
        return true;
    }

    /** The name part, e.g. {@code process*}. */
    public String name() {
        return name;
    }

    /** The argument types as written, or null when any arguments match. */
    public List<String> argumentTypes() {
        return argumentTypes;
    }

    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
