package dev.xraybatch.agent.instrument.methods;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.inheritsAnnotation;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isAnnotatedWith;
import static net.bytebuddy.matcher.ElementMatchers.isAnnotation;
import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isNative;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;

import dev.xraybatch.agent.config.pointcut.MethodPattern;
import dev.xraybatch.agent.config.pointcut.Pointcut;
import dev.xraybatch.agent.config.pointcut.Visibility;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.ParameterDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * A pointcut as Byte Buddy matchers. The class-name check comes first and alone decides for almost every class;
 * then the class's own methods; super types and annotations, which need other class files read, are looked at
 * only for classes that pass both.
 * Shared by the agent and the {@code check} tool, so the tool shows exactly what the agent will trace.
 */
public final class PointcutMatchers {
    private PointcutMatchers() {
    }

    public static ElementMatcher.Junction<TypeDescription> types(final Pointcut pointcut) {
        ElementMatcher.Junction<TypeDescription> matcher = new ElementMatcher.Junction.AbstractBase<TypeDescription>() {
            @Override
            public boolean matches(TypeDescription type) {
                return pointcut.matchesClassName(type.getName());
            }

            @Override
            public String toString() {
                return "classNames(" + pointcut.classes() + " exclude " + pointcut.excludes() + ")";
            }
        };
        // Only classes that declare a method to trace, checked on the class's own file before anything reads other
        // class files: a class whose name passes but none of whose methods do (a method annotation or name pattern
        // over a whole package) would otherwise be rewritten for nothing, which resolves its whole type hierarchy.
        matcher = matcher.and(not(isAnnotation())).and(declaresMethod(methods(pointcut)));
        if (!pointcut.subtypesOf().isEmpty()) {
            matcher = matcher.and(hasSuperType(namedOneOf(toArray(pointcut.subtypesOf()))));
        }
        if (!pointcut.classesAnnotatedWith().isEmpty()) {
            matcher = matcher.and(inheritsAnnotation(namedOneOf(toArray(pointcut.classesAnnotatedWith()))));
        }
        return matcher;
    }

    /**
     * Methods with a body that the user wrote: {@code isMethod()} leaves out constructors and type initializers;
     * abstract and native methods have no body; synthetic and bridge methods are the compiler's, not the user's.
     */
    public static ElementMatcher.Junction<MethodDescription> methods(final Pointcut pointcut) {
        ElementMatcher.Junction<MethodDescription> matcher = isMethod()
                .and(not(isAbstract()))
                .and(not(isNative()))
                .and(not(isSynthetic()))
                .and(not(isBridge()))
                .and(new ElementMatcher.Junction.AbstractBase<MethodDescription>() {
                    @Override
                    public boolean matches(MethodDescription method) {
                        return matchesSignature(pointcut, method);
                    }

                    @Override
                    public String toString() {
                        return "methods(" + pointcut.methods() + ")";
                    }
                });
        if (!pointcut.methodsAnnotatedWith().isEmpty()) {
            matcher = matcher.and(isAnnotatedWith(namedOneOf(toArray(pointcut.methodsAnnotatedWith()))));
        }
        return matcher;
    }

    private static boolean matchesSignature(Pointcut pointcut, MethodDescription method) {
        if (!pointcut.visibilities().contains(visibility(method))) {
            return false;
        }
        int parameterCount = method.getParameters().size();
        // A method lacking an argument the pointcut reads is left alone (the config check reports it when the
        // pointcut lists argument types).
        if (parameterCount < pointcut.minimumArguments()) {
            return false;
        }
        String name = method.getInternalName();
        List<String> types = null;
        for (MethodPattern pattern : pointcut.methods()) {
            if (!pattern.matchesName(name)) {
                continue;
            }
            if (pattern.argumentTypes() == null) {
                return true;
            }
            if (types == null) {
                types = new ArrayList<>(parameterCount);
                for (ParameterDescription parameter : method.getParameters()) {
                    types.add(parameter.getType().asErasure().getActualName());
                }
            }
            if (pattern.matchesArguments(types)) {
                return true;
            }
        }
        return false;
    }

    private static Visibility visibility(MethodDescription method) {
        if (method.isPublic()) {
            return Visibility.PUBLIC;
        }
        if (method.isProtected()) {
            return Visibility.PROTECTED;
        }
        if (method.isPrivate()) {
            return Visibility.PRIVATE;
        }
        return Visibility.PACKAGE;
    }

    private static String[] toArray(List<String> names) {
        return names.toArray(new String[0]);
    }
}
