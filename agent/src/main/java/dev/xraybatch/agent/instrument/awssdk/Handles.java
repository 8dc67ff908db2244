package dev.xraybatch.agent.instrument.awssdk;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls into the application's SDK through its public API, found by name in its own class loader. Handles are
 * looked up once (per SDK class loader, or per model class) and typed as {@code Object}s so call sites stay simple.
 */
final class Handles {
    private static final MethodHandles.Lookup PUBLIC = MethodHandles.publicLookup();
    private static final Object ABSENT = new Object();

    /** Public no-argument getters of model classes, by property name; kept with the class, so nothing is pinned. */
    private static final ClassValue<Map<String, Object>> GETTERS = new ClassValue<Map<String, Object>>() {
        @Override
        protected Map<String, Object> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    private Handles() {
    }

    /** The class of this name as {@code loader} sees it, or null. */
    static Class<?> load(ClassLoader loader, String name) {
        try {
            return Class.forName(name, false, loader);
        } catch (Throwable notThere) {
            return null;
        }
    }

    /** A public method typed {@code (Object receiver, Object... args) Object}, or null when it does not exist. */
    static MethodHandle method(Class<?> owner, String name, Class<?>... parameters) {
        if (owner == null) {
            return null;
        }
        try {
            Method m = owner.getMethod(name, parameters);
            return PUBLIC.unreflect(m).asType(MethodType.genericMethodType(parameters.length + 1));
        } catch (Throwable notThere) {
            return null;
        }
    }

    /** The value of a public static field, or null. */
    static Object staticField(Class<?> owner, String name) {
        if (owner == null) {
            return null;
        }
        try {
            return owner.getField(name).get(null);
        } catch (Throwable notThere) {
            return null;
        }
    }

    static Object call(MethodHandle h, Object receiver) {
        if (h == null || receiver == null) {
            return null;
        }
        try {
            return (Object) h.invokeExact(receiver);
        } catch (Throwable t) {
            return null;
        }
    }

    static Object call(MethodHandle h, Object receiver, Object argument) {
        if (h == null || receiver == null) {
            return null;
        }
        try {
            return (Object) h.invokeExact(receiver, argument);
        } catch (Throwable t) {
            return null;
        }
    }

    static Object call(MethodHandle h, Object receiver, Object first, Object second) {
        if (h == null || receiver == null) {
            return null;
        }
        try {
            return (Object) h.invokeExact(receiver, first, second);
        } catch (Throwable t) {
            return null;
        }
    }

    /** {@code receiver.get<Property>()} (or {@code is<Property>()}) when the class has it, else null. */
    static Object property(Object receiver, String property) {
        if (receiver == null) {
            return null;
        }
        Map<String, Object> getters = GETTERS.get(receiver.getClass());
        Object h = getters.get(property);
        if (h == null) {
            h = findGetter(receiver.getClass(), property);
            getters.put(property, h);
        }
        return h == ABSENT ? null : call((MethodHandle) h, receiver);
    }

    private static Object findGetter(Class<?> type, String property) {
        for (String prefix : new String[] {"get", "is"}) {
            try {
                Method m = type.getMethod(prefix + property);
                if (Modifier.isPublic(m.getDeclaringClass().getModifiers())) {
                    return PUBLIC.unreflect(m).asType(MethodType.genericMethodType(1));
                }
            } catch (Throwable notThere) {
                // try the next form
            }
        }
        return ABSENT;
    }

    static int intValue(Object value) {
        return value instanceof Number ? ((Number) value).intValue() : 0;
    }
}
