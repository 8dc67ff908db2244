package dev.xraybatch.agent.config.pointcut;

import java.util.regex.Pattern;

/**
 * A class name pattern: {@code com.acme.Loader} (exact), {@code com.acme.etl.*} (classes of one package; {@code *}
 * never crosses a dot, so {@code com.acme.*Job} works too), {@code com.acme.**} (a package and all its
 * sub-packages), {@code com.acme.**.*Job} (anywhere below). Nested classes are written with {@code $}.
 *
 * <p>{@link #matches} first compares the literal prefix, so the regular expression only runs for names that can
 * match: this is the check every loaded class goes through.
 */
public final class ClassPattern {
    /** Packages whose classes are never traced: the JDK and the agent itself. */
    private static final String[] FORBIDDEN_PREFIXES = {"java.", "jdk.", "sun.", "com.sun.", "dev.xraybatch.agent."};

    private final String text;
    private final String literalPrefix;
    private final Pattern regex;

    private ClassPattern(String text, String literalPrefix, Pattern regex) {
        this.text = text;
        this.literalPrefix = literalPrefix;
        this.regex = regex;
    }

    /** @throws IllegalArgumentException saying what is wrong and what to write instead */
    public static ClassPattern parse(String text) {
        String pattern = text.trim();
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("the class pattern is empty; write e.g. com.acme.etl.*");
        }
        String[] segments = pattern.split("\\.", -1);
        boolean literalOnly = true;
        for (String segment : segments) {
            checkSegment(pattern, segment);
            if (!segment.replace("*", "").isEmpty()) {
                literalOnly = false;
            }
        }
        if (literalOnly) {
            throw new IllegalArgumentException("'" + pattern + "' would match every class; name a package, "
                    + "e.g. com.acme.**");
        }
        int wildcard = pattern.indexOf('*');
        String prefix = wildcard < 0 ? pattern : pattern.substring(0, wildcard);
        String dotted = wildcard < 0 ? pattern + "." : prefix;
        for (String forbidden : FORBIDDEN_PREFIXES) {
            if (dotted.startsWith(forbidden)) {
                throw new IllegalArgumentException("'" + pattern + "' names JDK or agent classes, which are never "
                        + "traced; name your own classes instead");
            }
        }
        return new ClassPattern(pattern, prefix, Pattern.compile(toRegex(pattern)));
    }

    /** True for class names the agent never instruments, whatever the pattern: the JDK and the agent itself. */
    public static boolean isForbidden(String className) {
        for (String forbidden : FORBIDDEN_PREFIXES) {
            if (className.startsWith(forbidden)) {
                return true;
            }
        }
        return false;
    }

    /** The same rule as {@link #parse} for an exact name (no wildcards): subtypes_of, annotations. */
    public static void checkExactName(String name) {
        if (name.indexOf('*') >= 0) {
            throw new IllegalArgumentException("'" + name + "' has a wildcard; give one exact class name "
                    + "here, e.g. com.acme.etl.Step");
        }
        for (String segment : name.split("\\.", -1)) {
            if (segment.isEmpty() || !isIdentifier(segment)) {
                throw new IllegalArgumentException("'" + name + "' is not a class name; write a fully qualified "
                        + "name, e.g. com.acme.etl.Step");
            }
        }
    }

    private static void checkSegment(String pattern, String segment) {
        if (segment.isEmpty()) {
            throw new IllegalArgumentException("'" + pattern + "' has an empty name between dots; write e.g. "
                    + "com.acme.etl.*");
        }
        if (segment.equals("**")) {
            return;
        }
        if (segment.contains("**")) {
            throw new IllegalArgumentException("'" + pattern + "' uses ** inside a name; ** stands alone between "
                    + "dots (com.acme.**), * matches within a name (com.acme.*Job)");
        }
        if (!isIdentifier(segment.replace("*", "x"))) {
            throw new IllegalArgumentException("'" + pattern + "' is not a class pattern: '" + segment
                    + "' is not a Java name; use letters, digits, _, $ and the wildcards * and **");
        }
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

    private static String toRegex(String pattern) {
        StringBuilder regex = new StringBuilder();
        String[] segments = pattern.split("\\.", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.equals("**")) {
                // "a.**" is every class below a; "a.**.B" is B in a or any package below it.
                regex.append(last ? ".+" : "(?:[^.]+\\.)*");
                continue;
            }
            for (String literal : segment.split("\\*", -1)) {
                regex.append(Pattern.quote(literal)).append("[^.]*");
            }
            regex.setLength(regex.length() - "[^.]*".length());
            if (!last) {
                regex.append("\\.");
            }
        }
        return regex.toString();
    }

    public boolean matches(String className) {
        return className.startsWith(literalPrefix) && regex.matcher(className).matches();
    }

    /** The part before the first wildcard: a cheap pre-check for matchers. */
    public String literalPrefix() {
        return literalPrefix;
    }

    public boolean isExact() {
        return text.indexOf('*') < 0;
    }

    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
