package dev.xraybatch.agent.instrument.methods;

import dev.xraybatch.agent.config.pointcut.ValuePath;
import dev.xraybatch.agent.log.AgentLog;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a {@link ValuePath} from a call and turns values into short, safe text. Along a path it only ever calls
 * getters ({@code getX()}, {@code isX()}), record accessors, {@code size()}/{@code length()} and reads fields; at
 * the end {@code toString()}, guarded: an exception becomes a marker, long text is cut, collections and arrays
 * show their first elements, cycles are cut. Accessors are found once per class and property.
 */
final class ValueReader {
    static final int MAX_TEXT = 256;
    private static final int MAX_ELEMENTS = 10;
    private static final int MAX_DEPTH = 2;

    /** A property's accessor on one class; {@link #MISSING} when the class has none. */
    private abstract static class Accessor {
        abstract Object read(Object target) throws Exception;
    }

    private static final Accessor MISSING = new Accessor() {
        @Override
        Object read(Object target) {
            return null;
        }
    };

    private static final ClassValue<Map<String, Accessor>> ACCESSORS = new ClassValue<Map<String, Accessor>>() {
        @Override
        protected Map<String, Accessor> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    private ValueReader() {
    }

    /** The value at the path; null when a step meets null or a missing property. */
    static Object read(ValuePath path, Object self, Object[] arguments, Object returned) {
        Object value;
        switch (path.root()) {
            case THIS:
                value = self;
                break;
            case RETURN:
                value = returned;
                break;
            default:
                int index = path.argumentIndex();
                value = arguments != null && index < arguments.length ? arguments[index] : null;
        }
        for (String step : path.steps()) {
            if (value == null) {
                return null;
            }
            value = step(value, step, path);
        }
        return value;
    }

    private static Object step(Object target, String property, ValuePath path) {
        if (property.equals("size") || property.equals("length")) {
            if (target instanceof Collection) {
                return ((Collection<?>) target).size();
            }
            if (target instanceof Map) {
                return ((Map<?, ?>) target).size();
            }
            if (target instanceof CharSequence) {
                return ((CharSequence) target).length();
            }
            if (target.getClass().isArray()) {
                return Array.getLength(target);
            }
        }
        Class<?> type = target.getClass();
        Map<String, Accessor> byName = ACCESSORS.get(type);
        Accessor accessor = byName.get(property);
        if (accessor == null) {
            accessor = find(type, property);
            byName.put(property, accessor);
            if (accessor == MISSING) {
                AgentLog.problemOnce("path:" + path + ":" + type.getName(), "pointcut path " + path + ": "
                        + type.getName() + " has no getter, record component or field '" + property
                        + "'; the value is left out");
            }
        }
        try {
            return accessor.read(target);
        } catch (Throwable t) {
            Throwable cause = t instanceof InvocationTargetException && t.getCause() != null
                    ? t.getCause() : t;
            return "<" + property + " threw " + cause.getClass().getName() + ">";
        }
    }

    private static Accessor find(Class<?> type, String property) {
        String capitalized = property.substring(0, 1).toUpperCase(Locale.ROOT) + property.substring(1);
        for (String name : new String[] {"get" + capitalized, "is" + capitalized}) {
            Method getter = publicGetter(type, name);
            if (getter != null) {
                return method(getter);
            }
        }
        if (isRecord(type) || property.equals("size") || property.equals("length")) {
            Method accessor = publicGetter(type, property);
            if (accessor != null) {
                return method(accessor);
            }
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                final Field field = c.getDeclaredField(property);
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                return new Accessor() {
                    @Override
                    Object read(Object target) throws Exception {
                        return field.get(target);
                    }
                };
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (RuntimeException e) {
                return MISSING; // inaccessible (a JDK class's private field on Java 9+)
            }
        }
        return MISSING;
    }

    private static Method publicGetter(Class<?> type, String name) {
        try {
            Method method = type.getMethod(name);
            if (method.getReturnType() == void.class || Modifier.isStatic(method.getModifiers())) {
                return null;
            }
            try {
                method.setAccessible(true); // a public method of a non-public class
            } catch (RuntimeException ignored) {
                // stays as is; public classes need nothing
            }
            return method;
        } catch (NoSuchMethodException | SecurityException e) {
            return null;
        }
    }

    private static Accessor method(final Method method) {
        return new Accessor() {
            @Override
            Object read(Object target) throws Exception {
                return method.invoke(target);
            }
        };
    }

    /** Class.isRecord() exists from Java 16 only; the agent runs on 8. */
    private static boolean isRecord(Class<?> type) {
        Class<?> superclass = type.getSuperclass();
        return superclass != null && superclass.getName().equals("java.lang.Record");
    }

    /** A value an annotation can hold as is: numbers and booleans stay typed, everything else becomes text. */
    static Object annotationValue(Object value) {
        if (value instanceof Boolean || value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte || value instanceof Double || value instanceof Float) {
            return value;
        }
        return text(value);
    }

    /** Short, safe text for any value. */
    static String text(Object value) {
        StringBuilder out = new StringBuilder();
        try {
            append(out, value, 0, new IdentityHashMap<Object, Boolean>());
        } catch (Throwable t) {
            // e.g. a collection changed by another thread while we read it
            return "<unreadable " + value.getClass().getName() + ": " + t.getClass().getName() + ">";
        }
        return cut(out);
    }

    private static void append(StringBuilder out, Object value, int depth, IdentityHashMap<Object, Boolean> seen) {
        if (out.length() > MAX_TEXT) {
            return;
        }
        if (value == null) {
            out.append("null");
        } else if (value instanceof CharSequence) {
            CharSequence chars = (CharSequence) value;
            out.append(chars, 0, Math.min(chars.length(), MAX_TEXT + 1));
        } else if (value instanceof Number || value instanceof Boolean || value instanceof Character) {
            out.append(value);
        } else if (value instanceof Enum) {
            out.append(((Enum<?>) value).name());
        } else if (value instanceof Class) {
            out.append(((Class<?>) value).getName());
        } else if (value.getClass().isArray() || value instanceof Collection || value instanceof Map) {
            appendContainer(out, value, depth, seen);
        } else {
            try {
                String text = String.valueOf(value);
                out.append(text, 0, Math.min(text.length(), MAX_TEXT + 1));
            } catch (Throwable t) {
                out.append('<').append(value.getClass().getName()).append(".toString threw ")
                        .append(t.getClass().getName()).append('>');
            }
        }
    }

    private static void appendContainer(StringBuilder out, Object value, int depth,
                                        IdentityHashMap<Object, Boolean> seen) {
        if (seen.put(value, Boolean.TRUE) != null) {
            out.append("(cycle)");
            return;
        }
        if (depth >= MAX_DEPTH) {
            out.append(value.getClass().getSimpleName()).append("(...)");
            return;
        }
        boolean map = value instanceof Map;
        Iterator<?> elements;
        int size;
        if (value.getClass().isArray()) {
            size = Array.getLength(value);
            Object[] boxed = new Object[Math.min(size, MAX_ELEMENTS)];
            for (int i = 0; i < boxed.length; i++) {
                boxed[i] = Array.get(value, i);
            }
            elements = Arrays.asList(boxed).iterator();
        } else if (map) {
            size = ((Map<?, ?>) value).size();
            elements = ((Map<?, ?>) value).entrySet().iterator();
        } else {
            size = ((Collection<?>) value).size();
            elements = ((Collection<?>) value).iterator();
        }
        out.append(map ? '{' : '[');
        int shown = 0;
        while (elements.hasNext() && shown < MAX_ELEMENTS && out.length() <= MAX_TEXT) {
            Object element = elements.next();
            if (shown++ > 0) {
                out.append(", ");
            }
            if (map) {
                Map.Entry<?, ?> entry = (Map.Entry<?, ?>) element;
                append(out, entry.getKey(), depth + 1, seen);
                out.append('=');
                append(out, entry.getValue(), depth + 1, seen);
            } else {
                append(out, element, depth + 1, seen);
            }
        }
        if (size > shown) {
            out.append(shown > 0 ? ", " : "").append("... ").append(size - shown).append(" more");
        }
        out.append(map ? '}' : ']');
    }

    private static String cut(StringBuilder out) {
        if (out.length() <= MAX_TEXT) {
            return out.toString();
        }
        return out.substring(0, MAX_TEXT - 3) + "...";
    }
}
