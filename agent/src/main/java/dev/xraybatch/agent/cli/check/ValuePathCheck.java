package dev.xraybatch.agent.cli.check;

import dev.xraybatch.agent.config.Suggestions;
import dev.xraybatch.agent.config.pointcut.ValuePath;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;

/**
 * Follows a {@link ValuePath} through the declared types of a matched method, the way the agent's value reader
 * follows it through the objects at run time: a public getter ({@code getX()}, {@code isX()}), a record component,
 * {@code size}/{@code length} of a collection, map, array or text, else a field of the class or its super classes.
 *
 * <p>A step the declared type cannot take is an error: at run time the value would always be missing. When the
 * declared type is {@code Object}, an interface or an abstract class, the object at run time may be of a type
 * that has the property: that is a warning, and the path is not followed further.
 */
final class ValuePathCheck {
    /** What a path gives on one method: nothing to say, a warning or an error, with the message. */
    static final class Outcome {
        final boolean error;
        final String message;

        private Outcome(boolean error, String message) {
            this.error = error;
            this.message = message;
        }
    }

    private static final int MAX_LISTED = 8;

    private ValuePathCheck() {
    }

    /** Null when the path resolves on the method's declared types. */
    static Outcome check(ValuePath path, MethodDescription method, String methodText) {
        TypeDescription type;
        String what;
        switch (path.root()) {
            case THIS:
                if (method.isStatic()) {
                    return new Outcome(true, "'" + path + "': " + methodText + " is static; it has no 'this'");
                }
                type = method.getDeclaringType().asErasure();
                what = "this";
                break;
            case RETURN:
                type = method.getReturnType().asErasure();
                if (type.represents(void.class)) {
                    return new Outcome(true, "'" + path + "': " + methodText + " returns nothing (void)");
                }
                what = "return";
                break;
            default:
                int index = path.argumentIndex();
                if (index >= method.getParameters().size()) {
                    return new Outcome(true, "'" + path + "': " + methodText + " has no argument " + index);
                }
                type = method.getParameters().get(index).getType().asErasure();
                what = "arg" + index;
        }
        for (String step : path.steps()) {
            if (type.isPrimitive()) {
                type = type.asBoxed();
            }
            TypeDescription next = step(type, step);
            if (next != null) {
                type = next;
                what = what + "." + step;
                continue;
            }
            String declared = "'" + path + "': " + what + " of " + methodText + " is declared as "
                    + type.getActualName();
            if (type.represents(Object.class) || type.isInterface() || type.isAbstract()) {
                return new Outcome(false, declared + ", which has no getter, record component or field '" + step
                        + "'; it is read only if the object at run time has one");
            }
            return new Outcome(true, declared + ", which has no getter, record component or field '" + step
                    + "'; the value would always be missing" + hint(type, step));
        }
        return null;
    }

    /** The type of {@code property} on {@code type}, or null when the declared type has no such property. */
    private static TypeDescription step(TypeDescription type, String property) {
        if ((property.equals("size") || property.equals("length")) && (type.isArray()
                || type.isAssignableTo(Collection.class) || type.isAssignableTo(Map.class)
                || type.isAssignableTo(CharSequence.class))) {
            return TypeDescription.ForLoadedType.of(int.class);
        }
        String capitalized = property.substring(0, 1).toUpperCase(Locale.ROOT) + property.substring(1);
        boolean record = isRecord(type);
        for (TypeDefinition candidate : typeAndSuperTypes(type)) {
            for (MethodDescription method : candidate.getDeclaredMethods()) {
                if (!isGetter(method)) {
                    continue;
                }
                String name = method.getInternalName();
                if (name.equals("get" + capitalized) || name.equals("is" + capitalized)
                        || ((record || property.equals("size") || property.equals("length"))
                        && name.equals(property))) {
                    return method.getReturnType().asErasure();
                }
            }
        }
        for (TypeDefinition c = type; c != null && !c.represents(Object.class) && !c.isInterface();
                c = c.getSuperClass()) {
            for (FieldDescription field : c.getDeclaredFields()) {
                if (readable(field, c) && field.getName().equals(property)) {
                    return field.getType().asErasure();
                }
            }
        }
        return null;
    }

    /**
     * A field the value reader can read: not static, and not a non-public field of the JDK's own classes, which
     * Java 9 and later keep closed to reflection (String's {@code value}).
     */
    private static boolean readable(FieldDescription field, TypeDefinition owner) {
        String name = owner.asErasure().getName();
        boolean jdk = name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                || name.startsWith("sun.") || name.startsWith("com.sun.");
        return !field.isStatic() && (field.isPublic() || !jdk);
    }

    /** A public, non-static method without arguments that returns something: what the value reader calls. */
    private static boolean isGetter(MethodDescription method) {
        return method.isMethod() && method.isPublic() && !method.isStatic() && method.getParameters().isEmpty()
                && !method.getReturnType().represents(void.class);
    }

    private static boolean isRecord(TypeDescription type) {
        TypeDescription.Generic superClass = type.getSuperClass();
        return superClass != null && superClass.asErasure().getName().equals("java.lang.Record");
    }

    /** The type, its super classes and every interface they implement; Object last, for getClass(). */
    private static List<TypeDefinition> typeAndSuperTypes(TypeDescription type) {
        List<TypeDefinition> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Deque<TypeDefinition> queue = new ArrayDeque<>();
        queue.add(type);
        while (!queue.isEmpty()) {
            TypeDefinition next = queue.poll();
            if (!seen.add(next.asErasure().getName())) {
                continue;
            }
            all.add(next);
            if (next.getSuperClass() != null) {
                queue.add(next.getSuperClass());
            }
            for (TypeDefinition anInterface : next.getInterfaces()) {
                queue.add(anInterface);
            }
        }
        if (seen.add(Object.class.getName())) {
            all.add(TypeDescription.ForLoadedType.of(Object.class));
        }
        return all;
    }

    /** "; did you mean 'orderCount'?" or the properties the type has. */
    private static String hint(TypeDescription type, String property) {
        TreeSet<String> properties = new TreeSet<>();
        boolean record = isRecord(type);
        try {
            for (TypeDefinition candidate : typeAndSuperTypes(type)) {
                if (candidate.represents(Object.class)) {
                    continue;
                }
                for (MethodDescription method : candidate.getDeclaredMethods()) {
                    String name = method.getInternalName();
                    if (!isGetter(method)) {
                        continue;
                    }
                    if (name.startsWith("get") && name.length() > 3) {
                        properties.add(decapitalize(name.substring(3)));
                    } else if (name.startsWith("is") && name.length() > 2) {
                        properties.add(decapitalize(name.substring(2)));
                    } else if (record && !name.equals("hashCode") && !name.equals("toString")) {
                        properties.add(name);
                    }
                }
            }
            for (TypeDefinition c = type; c != null && !c.represents(Object.class) && !c.isInterface();
                    c = c.getSuperClass()) {
                for (FieldDescription field : c.getDeclaredFields()) {
                    if (readable(field, c) && !field.isSynthetic()) {
                        properties.add(field.getName());
                    }
                }
            }
        } catch (RuntimeException e) {
            return ""; // a super type is missing from the class path: no list rather than a wrong one
        }
        String closest = Suggestions.closest(property, new ArrayList<>(properties));
        if (closest != null) {
            return "; did you mean '" + closest + "'?";
        }
        if (properties.isEmpty()) {
            return "";
        }
        List<String> listed = new ArrayList<>(properties).subList(0, Math.min(MAX_LISTED, properties.size()));
        return "; it has " + String.join(", ", listed) + (properties.size() > MAX_LISTED ? ", ..." : "");
    }

    private static String decapitalize(String name) {
        return name.substring(0, 1).toLowerCase(Locale.ROOT) + name.substring(1);
    }
}
