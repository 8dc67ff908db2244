package dev.xraybatch.agent.instrument.spark;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads Spark objects without compiling against Spark: no-argument accessors (Scala case-class fields, getters)
 * by name, through method handles cached per class, and Scala's {@code Option} and {@code Seq} through their own
 * methods, which are the same in Scala 2.12 and 2.13. A missing method reads as null: Spark versions differ.
 */
public final class Reflect {
    private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);
    /** Marks "no such method on this class" in the cache, so a miss is looked up only once. */
    private static final MethodHandle MISSING = MethodHandles.constant(Object.class, null);

    /** Per class, so that the cache never keeps a class loader alive (Spark's REPL and tests make many). */
    private static final ClassValue<ConcurrentHashMap<String, MethodHandle>> GETTERS =
            new ClassValue<ConcurrentHashMap<String, MethodHandle>>() {
                @Override
                protected ConcurrentHashMap<String, MethodHandle> computeValue(Class<?> type) {
                    return new ConcurrentHashMap<>();
                }
            };

    private Reflect() {
    }

    /** {@code target.name()}, or null when target is null, has no such method, or the call failed. */
    public static Object get(Object target, String name) {
        if (target == null) {
            return null;
        }
        return read(getter(target.getClass(), name), target);
    }

    /**
     * {@code target.name()}, or else the value of its field {@code name} (declared on its class or a superclass,
     * also under Scala's mangled name {@code ...$$name}): constructor parameters of Scala classes that no method
     * exposes. Null when there is neither.
     */
    public static Object getOrField(Object target, String name) {
        Object value = get(target, name);
        if (value != null || target == null) {
            return value;
        }
        return read(fieldGetter(target.getClass(), name), target);
    }

    /** Applies a cached getter ({@code (Object)Object}); null when there is none or it failed. */
    private static Object read(MethodHandle handle, Object target) {
        if (handle == MISSING) {
            return null;
        }
        try {
            return handle.invokeExact(target);
        } catch (Throwable t) {
            return null;
        }
    }

    /** {@code target.name(argument)} for a public one-argument method taking {@code Object}; null on failure. */
    public static Object call(Object target, String name, Object argument) {
        if (target == null) {
            return null;
        }
        try {
            return invoke(target, name, new Class<?>[] {Object.class}, argument);
        } catch (Exception e) {
            return null;
        }
    }

    /** Follows a chain of accessors: {@code path(x, "a", "b")} is {@code x.a().b()}. */
    public static Object path(Object target, String... names) {
        Object value = target;
        for (String name : names) {
            value = get(value, name);
        }
        return value;
    }

    public static long getLong(Object target, String name, long fallback) {
        Object value = get(target, name);
        return value instanceof Number ? ((Number) value).longValue() : fallback;
    }

    /** A Scala {@code Option}'s value, or null for {@code None}. Values that are not Options pass through. */
    public static Object unwrapOption(Object option) {
        if (option == null) {
            return null;
        }
        Object defined = get(option, "isDefined");
        if (!(defined instanceof Boolean)) {
            return option;
        }
        return (Boolean) defined ? get(option, "get") : null;
    }

    /** The elements of a Scala collection (anything with {@code iterator()}), or of a Java {@link Iterable}. */
    public static List<Object> elements(Object collection) {
        if (collection == null) {
            return Collections.emptyList();
        }
        List<Object> result = new ArrayList<>();
        if (collection instanceof Iterable) {
            for (Object element : (Iterable<?>) collection) {
                result.add(element);
            }
            return result;
        }
        Object iterator = get(collection, "iterator");
        while (iterator != null && Boolean.TRUE.equals(get(iterator, "hasNext"))) {
            result.add(get(iterator, "next"));
        }
        return result;
    }

    /** Calls a public method with arguments; the caller names the parameter types. Failures are thrown. */
    public static Object invoke(Object target, String name, Class<?>[] parameterTypes, Object... arguments)
            throws Exception {
        Method method = findMethod(target.getClass(), name, parameterTypes);
        return method.invoke(target, arguments);
    }

    private static Method findMethod(Class<?> type, String name, Class<?>[] parameterTypes)
            throws NoSuchMethodException {
        Method method = type.getMethod(name, parameterTypes);
        method.setAccessible(true);
        return method;
    }

    private static MethodHandle getter(Class<?> type, String name) {
        ConcurrentHashMap<String, MethodHandle> byName = GETTERS.get(type);
        MethodHandle handle = byName.get(name);
        if (handle == null) {
            handle = lookUp(type, name);
            byName.put(name, handle);
        }
        return handle;
    }

    private static MethodHandle fieldGetter(Class<?> type, String name) {
        ConcurrentHashMap<String, MethodHandle> byName = GETTERS.get(type);
        String key = "field:" + name;
        MethodHandle handle = byName.get(key);
        if (handle == null) {
            handle = lookUpField(type, name);
            byName.put(key, handle);
        }
        return handle;
    }

    private static MethodHandle lookUpField(Class<?> type, String name) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.getName().equals(name) || field.getName().endsWith("$$" + name)) {
                    try {
                        field.setAccessible(true);
                        return MethodHandles.lookup().unreflectGetter(field).asType(GETTER);
                    } catch (Throwable t) {
                        return MISSING;
                    }
                }
            }
        }
        return MISSING;
    }

    private static MethodHandle lookUp(Class<?> type, String name) {
        try {
            Method method = findMethod(type, name, new Class<?>[0]);
            return MethodHandles.lookup().unreflect(method).asType(GETTER);
        } catch (Throwable t) {
            return MISSING;
        }
    }
}
