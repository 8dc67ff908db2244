package dev.xraybatch.agent.runtime;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Defines classes in the boot loader through the JDK's internal {@code jdk.internal.misc.Unsafe.defineClass}
 * (Java 9+), which is not {@code sun.misc.Unsafe}: Java 24 and later warn on the job's stderr about every caller of
 * the latter's memory access, which Byte Buddy's {@code ClassInjector.UsingUnsafe} needs to open the JDK's internals.
 *
 * <p>Never loaded by the agent's own class loader: {@link BootstrapInjector} defines it from its class file in a
 * class loader of its own and exports {@code jdk.internal.misc} to that loader's unnamed module only, so neither
 * the agent's other classes nor the job (whose classes share the system loader's unnamed module) gain access.
 * Only reflection and {@code java.*} here.
 */
public final class InternalDefiner {
    private InternalDefiner() {
    }

    /**
     * Defines each class not yet defined in the boot loader, in as many rounds as it takes for classes whose
     * supertypes are among them (a class whose supertype is not defined yet fails and is tried again).
     */
    public static void defineInBootLoader(Map<String, byte[]> classes) throws Exception {
        Class<?> unsafeType = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
        Method define = unsafeType.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
        List<String> pending = new ArrayList<>(classes.keySet());
        while (!pending.isEmpty()) {
            List<String> failed = new ArrayList<>();
            Throwable lastFailure = null;
            for (String name : pending) {
                if (isDefined(name)) {
                    continue;
                }
                byte[] bytes = classes.get(name);
                try {
                    define.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
                } catch (InvocationTargetException e) {
                    if (!(e.getCause() instanceof NoClassDefFoundError)) {
                        throw e;
                    }
                    failed.add(name);
                    lastFailure = e.getCause();
                }
            }
            if (failed.size() == pending.size()) {
                throw new IllegalStateException("cannot define " + failed + " in the boot loader", lastFailure);
            }
            pending = failed;
        }
    }

    private static boolean isDefined(String name) {
        try {
            Class.forName(name, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
