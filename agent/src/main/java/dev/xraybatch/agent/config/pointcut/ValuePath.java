package dev.xraybatch.agent.config.pointcut;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Where a captured value comes from: {@code arg0}, {@code this}, {@code return}, followed by up to
 * {@value #MAX_STEPS} property names ({@code arg0.key}, {@code return.size}, {@code this.table.name}). A property is
 * read through a getter ({@code getKey()}, {@code isKey()}), a record component or a field; {@code size} and
 * {@code length} also work on collections, maps, arrays and strings. Nothing else is ever called.
 */
public final class ValuePath {
    public static final int MAX_STEPS = 4;

    /** What the path starts from. */
    public enum Root { ARGUMENT, THIS, RETURN }

    private final String text;
    private final Root root;
    private final int argumentIndex;
    private final List<String> steps;

    private ValuePath(String text, Root root, int argumentIndex, List<String> steps) {
        this.text = text;
        this.root = root;
        this.argumentIndex = argumentIndex;
        this.steps = steps;
    }

    /** @throws IllegalArgumentException saying what is wrong and what to write instead */
    public static ValuePath parse(String text) {
        String path = text.trim();
        String[] parts = path.split("\\.", -1);
        String head = parts[0];
        Root root;
        int index = -1;
        if (head.equals("this")) {
            root = Root.THIS;
        } else if (head.equals("return")) {
            root = Root.RETURN;
        } else if (head.matches("arg(0|[1-9][0-9]{0,2})")) {
            root = Root.ARGUMENT;
            index = Integer.parseInt(head.substring(3));
        } else {
            throw new IllegalArgumentException("'" + path + "' must start with arg0, arg1, ..., this or return, "
                    + "e.g. arg0.key or return.size");
        }
        List<String> steps = Arrays.asList(parts).subList(1, parts.length);
        if (steps.size() > MAX_STEPS) {
            throw new IllegalArgumentException("'" + path + "' is longer than " + MAX_STEPS + " steps; keep paths "
                    + "short, e.g. arg0.table.name");
        }
        for (String step : steps) {
            if (!isIdentifier(step)) {
                throw new IllegalArgumentException("'" + path + "': '" + step + "' is not a property name; write "
                        + "names separated by dots, e.g. arg0.key");
            }
        }
        return new ValuePath(path, root, index, Collections.unmodifiableList(steps));
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

    public Root root() {
        return root;
    }

    /** The argument's index for {@link Root#ARGUMENT}, else -1. */
    public int argumentIndex() {
        return argumentIndex;
    }

    public List<String> steps() {
        return steps;
    }

    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
