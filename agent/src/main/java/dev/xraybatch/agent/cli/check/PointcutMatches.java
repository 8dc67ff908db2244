package dev.xraybatch.agent.cli.check;

import dev.xraybatch.agent.config.Suggestions;
import dev.xraybatch.agent.config.pointcut.ClassPattern;
import dev.xraybatch.agent.config.pointcut.MethodPattern;
import dev.xraybatch.agent.config.pointcut.Pointcut;
import dev.xraybatch.agent.instrument.methods.PointcutMatchers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.ParameterDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;

/**
 * What one pointcut traces on a class path, with the agent's own matchers, and what is wrong with it there: it
 * matches nothing (said with the near matches a user most likely meant), or a value path its methods' declared
 * types cannot have ({@link ValuePathCheck}). Each problem and warning is one line starting with where in the
 * file it is.
 */
final class PointcutMatches {
    /** A traced class and its traced methods' signatures. */
    static final class ClassMatch {
        final String className;
        final List<String> methods = new ArrayList<>();

        ClassMatch(String className) {
            this.className = className;
        }
    }

    private static final int MAX_LISTED = 5;

    final Pointcut pointcut;
    /** The text output's lines: "  class", "    method(types)". */
    final List<String> lines = new ArrayList<>();
    final List<ClassMatch> matches = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();

    private PointcutMatches(Pointcut pointcut) {
        this.pointcut = pointcut;
    }

    /** The classes (and under each its methods) the pointcut traces; the name check first, as in the agent. */
    static PointcutMatches find(Pointcut pointcut, List<String> classNames, TypePool pool) {
        PointcutMatches result = new PointcutMatches(pointcut);
        ElementMatcher<TypeDescription> types = PointcutMatchers.types(pointcut);
        ElementMatcher<MethodDescription> methods = PointcutMatchers.methods(pointcut);
        List<String> namesMatched = new ArrayList<>();
        Set<String> pathProblems = new LinkedHashSet<>();
        Set<String> pathWarnings = new LinkedHashSet<>();
        boolean undecided = false;
        for (String className : classNames) {
            if (!pointcut.matchesClassName(className)) {
                continue;
            }
            namesMatched.add(className);
            try {
                TypeDescription type = pool.describe(className).resolve();
                if (!types.matches(type)) {
                    continue;
                }
                ClassMatch match = new ClassMatch(className);
                for (MethodDescription method : type.getDeclaredMethods().filter(methods)) {
                    String signature = signature(method);
                    match.methods.add(signature);
                    result.checkPaths(method, className + "." + signature, pathProblems, pathWarnings);
                }
                if (!match.methods.isEmpty()) {
                    result.matches.add(match);
                    result.lines.add("  " + className);
                    for (String signature : match.methods) {
                        result.lines.add("    " + signature);
                    }
                }
            } catch (RuntimeException e) {
                // A super type or annotation missing from the class path: the agent would see the real one.
                undecided = true;
                result.lines.add("  " + className + ": cannot tell (" + e.getMessage() + "); add its dependencies "
                        + "to --classpath");
                result.warnings.add(pointcut.location() + ": cannot tell whether " + className + " matches ("
                        + e.getMessage() + "); add its dependencies to --classpath");
            }
        }
        result.problems.addAll(pathProblems);
        result.warnings.addAll(pathWarnings);
        if (result.matches.isEmpty() && !undecided) {
            result.problems.add(pointcut.location() + ": matches nothing on this class path; "
                    + nearMatches(pointcut, classNames, namesMatched, pool));
        }
        return result;
    }

    private void checkPaths(MethodDescription method, String methodText, Set<String> pathProblems,
                            Set<String> pathWarnings) {
        for (Pointcut.WrittenPath written : pointcut.writtenPaths()) {
            try {
                ValuePathCheck.Outcome outcome = ValuePathCheck.check(written.path(), method, methodText);
                if (outcome != null) {
                    (outcome.error ? pathProblems : pathWarnings).add(written.location() + ": " + outcome.message);
                }
            } catch (RuntimeException e) {
                pathWarnings.add(written.location() + ": '" + written.path() + "' on " + methodText + ": cannot tell ("
                        + e.getMessage() + "); add its dependencies to --classpath");
            }
        }
    }

    /** Why nothing matched, and what the user most likely meant. */
    private static String nearMatches(Pointcut pointcut, List<String> classNames, List<String> namesMatched,
                                      TypePool pool) {
        if (namesMatched.isEmpty()) {
            return "no class matches " + patterns(pointcut.classes()) + sameSimpleName(pointcut, classNames);
        }
        // Classes of that name exist: their methods, or their super types and annotations, are what differs.
        ElementMatcher<MethodDescription> methods = PointcutMatchers.methods(pointcut);
        List<String> withMethods = new ArrayList<>();
        List<String> signatures = new ArrayList<>();
        Set<String> methodNames = new LinkedHashSet<>();
        for (String className : namesMatched) {
            TypeDescription type;
            try {
                type = pool.describe(className).resolve();
            } catch (RuntimeException e) {
                continue;
            }
            if (type.isAnnotation()) {
                continue;
            }
            for (MethodDescription method : type.getDeclaredMethods()) {
                if (!method.isMethod() || method.isSynthetic() || method.isBridge()) {
                    continue;
                }
                if (methods.matches(method)) {
                    if (!withMethods.contains(className)) {
                        withMethods.add(className);
                    }
                    continue;
                }
                methodNames.add(method.getInternalName());
                for (MethodPattern pattern : pointcut.methods()) {
                    if (pattern.matchesName(method.getInternalName())) {
                        signatures.add(describe(method, className));
                        break;
                    }
                }
            }
        }
        String classes = describeClasses(namesMatched);
        if (!withMethods.isEmpty()) {
            List<String> conditions = new ArrayList<>();
            if (!pointcut.subtypesOf().isEmpty()) {
                conditions.add("subtypes_of " + String.join(", ", pointcut.subtypesOf()));
            }
            if (!pointcut.classesAnnotatedWith().isEmpty()) {
                conditions.add("classes_annotated_with " + String.join(", ", pointcut.classesAnnotatedWith()));
            }
            boolean one = withMethods.size() == 1;
            return describeClasses(withMethods) + (one ? " has" : " have") + " methods that match but "
                    + (one ? "is" : "are") + " left out" + (conditions.isEmpty() ? ""
                    : " by " + String.join(" and ", conditions));
        }
        if (!signatures.isEmpty()) {
            return "no method of " + classes + " matches " + methodPatterns(pointcut) + conditionsOfMethods(pointcut)
                    + "; its methods of that name: " + list(signatures);
        }
        List<String> closest = new ArrayList<>();
        for (MethodPattern pattern : pointcut.methods()) {
            String name = Suggestions.closest(pattern.name(), new ArrayList<>(methodNames));
            if (name != null && !closest.contains("'" + name + "'")) {
                closest.add("'" + name + "'");
            }
        }
        return "no method of " + classes + " is named " + methodPatterns(pointcut)
                + (!closest.isEmpty() ? "; did you mean " + String.join(" or ", closest) + "?"
                : methodNames.isEmpty() ? "; it declares no methods" : "; its methods: " + list(new ArrayList<>(methodNames)));
    }

    /** "; a class of that name is in another package: acme.app.Load" when the simple name exists elsewhere. */
    private static String sameSimpleName(Pointcut pointcut, List<String> classNames) {
        Set<String> found = new LinkedHashSet<>();
        for (ClassPattern pattern : pointcut.classes()) {
            String text = pattern.text();
            String simple = text.substring(text.lastIndexOf('.') + 1);
            if (simple.equals("*") || simple.equals("**")) {
                // A package pattern: the same last package name elsewhere (acme.etl.* for acme.jobs.etl).
                String packagePart = text.substring(0, Math.max(0, text.lastIndexOf('.')));
                String lastPackage = packagePart.substring(packagePart.lastIndexOf('.') + 1);
                if (lastPackage.isEmpty() || lastPackage.contains("*")) {
                    continue;
                }
                for (String className : classNames) {
                    String classPackage = className.substring(0, Math.max(0, className.lastIndexOf('.')));
                    if (classPackage.equals(lastPackage) || classPackage.endsWith("." + lastPackage)
                            || classPackage.contains("." + lastPackage + ".")) {
                        found.add(classPackage + "." + simple);
                    }
                }
                continue;
            }
            Pattern simpleName = glob(simple);
            for (String className : classNames) {
                if (simpleName.matcher(className.substring(className.lastIndexOf('.') + 1)).matches()
                        && !ClassPattern.isForbidden(className)) {
                    found.add(className);
                }
            }
        }
        if (found.isEmpty()) {
            return "; check the package name, or add the jar that holds the classes to --classpath";
        }
        return "; of that name in another package: " + list(new ArrayList<>(found));
    }

    private static Pattern glob(String text) {
        StringBuilder regex = new StringBuilder();
        for (String literal : text.split("\\*", -1)) {
            regex.append(Pattern.quote(literal)).append("[^.]*");
        }
        regex.setLength(regex.length() - "[^.]*".length());
        return Pattern.compile(regex.toString());
    }

    private static String conditionsOfMethods(Pointcut pointcut) {
        List<String> conditions = new ArrayList<>();
        if (pointcut.visibilities().size() < 4) {
            conditions.add("visibility");
        }
        if (!pointcut.methodsAnnotatedWith().isEmpty()) {
            conditions.add("methods_annotated_with");
        }
        if (pointcut.minimumArguments() > 0) {
            conditions.add("at least " + pointcut.minimumArguments() + " argument"
                    + (pointcut.minimumArguments() == 1 ? "" : "s") + " (for arg" + (pointcut.minimumArguments() - 1)
                    + ")");
        }
        return conditions.isEmpty() ? "" : " with " + String.join(", ", conditions);
    }

    private static String patterns(List<ClassPattern> patterns) {
        List<String> texts = new ArrayList<>();
        for (ClassPattern pattern : patterns) {
            texts.add("'" + pattern.text() + "'");
        }
        return String.join(" or ", texts);
    }

    private static String methodPatterns(Pointcut pointcut) {
        List<String> texts = new ArrayList<>();
        for (MethodPattern pattern : pointcut.methods()) {
            texts.add("'" + pattern.text() + "'");
        }
        return String.join(" or ", texts);
    }

    private static String describeClasses(List<String> classNames) {
        return classNames.size() == 1 ? classNames.get(0) : classNames.size() + " classes (" + list(classNames) + ")";
    }

    private static String list(List<String> items) {
        List<String> shown = items.subList(0, Math.min(MAX_LISTED, items.size()));
        return String.join(", ", shown) + (items.size() > MAX_LISTED ? ", ... (" + items.size() + " in all)" : "");
    }

    /** A near match, with what may be why it does not match: "private acme.Loader.load(java.lang.String)". */
    private static String describe(MethodDescription method, String className) {
        StringBuilder text = new StringBuilder();
        if (method.isPublic()) {
            text.append("public ");
        } else if (method.isProtected()) {
            text.append("protected ");
        } else if (method.isPrivate()) {
            text.append("private ");
        }
        if (method.isStatic()) {
            text.append("static ");
        }
        if (method.isAbstract()) {
            text.append("abstract ");
        }
        return text.append(className).append('.').append(signature(method)).toString();
    }

    static String signature(MethodDescription method) {
        StringBuilder text = new StringBuilder(method.getInternalName()).append('(');
        boolean first = true;
        for (ParameterDescription parameter : method.getParameters()) {
            text.append(first ? "" : ", ").append(parameter.getType().asErasure().getActualName());
            first = false;
        }
        return text.append(')').toString();
    }
}
