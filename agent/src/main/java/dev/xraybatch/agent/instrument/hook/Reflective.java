package dev.xraybatch.agent.instrument.hook;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Calls on the application's objects by name (HTTP clients, Spring Batch's executions): the agent compiles against
 * none of their libraries. Methods are
 * looked up once per class (weakly held: a class loader that goes takes its entries with it); a public method of
 * a class that is not public (a client's internal response type) is made accessible.
 */
public final class Reflective {
    private static final Map<Class<?>, Map<String, Method>> METHODS = new WeakHashMap<>();

    private Reflective() {
    }

    /** {@code target.name(arguments)}, for methods whose parameters are all {@code String}s, or null on any failure. */
    public static Object call(Object target, String name, Object... arguments) {
        Class<?>[] parameters = new Class<?>[arguments.length];
        Arrays.fill(parameters, String.class);
        return callTyped(target, name, parameters, arguments);
    }

    /** {@code target.name(arguments)} for the method with these parameter types, or null on any failure. */
    public static Object callTyped(Object target, String name, Class<?>[] parameters, Object... arguments) {
        if (target == null) {
            return null;
        }
        try {
            return method(target.getClass(), name, parameters).invoke(target, arguments);
        } catch (Throwable failed) {
            return null;
        }
    }

    private static Method method(Class<?> type, String name, Class<?>[] parameters) throws NoSuchMethodException {
        String key = name + Arrays.toString(parameters);
        synchronized (METHODS) {
            Map<String, Method> known = METHODS.get(type);
            if (known != null && known.get(key) != null) {
                return known.get(key);
            }
        }
        Method method = type.getMethod(name, parameters);
        if (!Modifier.isPublic(method.getDeclaringClass().getModifiers())) {
            method.setAccessible(true);
        }
        synchronized (METHODS) {
            Map<String, Method> known = METHODS.get(type);
            if (known == null) {
                known = new HashMap<>();
                METHODS.put(type, known);
            }
            known.put(key, method);
        }
        return method;
    }

    /**
     * OkHttp's {@code chain.proceed(request)}: the one call here whose argument is not a string. What it throws
     * comes back as an {@link java.lang.reflect.InvocationTargetException} for the caller to rethrow.
     */
    public static Object proceed(Object chain, Object request) throws Exception {
        Method proceed = null;
        for (Method m : chain.getClass().getMethods()) {
            if (m.getName().equals("proceed") && m.getParameterTypes().length == 1) {
                proceed = m;
                break;
            }
        }
        if (proceed == null) {
            throw new NoSuchMethodException("proceed");
        }
        if (!Modifier.isPublic(proceed.getDeclaringClass().getModifiers())) {
            proceed.setAccessible(true);
        }
        return proceed.invoke(chain, request);
    }
}
