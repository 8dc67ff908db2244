package dev.xraybatch.agent.runtime;

import dev.xraybatch.agent.log.AgentLog;
import net.bytebuddy.dynamic.loading.ClassInjector;

import java.io.ByteArrayOutputStream;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Puts the bridge classes ({@code dev.xraybatch.agent.bootstrap}) on the bootstrap class path, where advice
 * inlined into any class, JDK classes included, can reach them.
 *
 * <p>The jar keeps them under {@value #PREFIX} as {@code .classdata}, not as classes: no other class loader can
 * then load a second copy (a child-first loader such as Spark's {@code userClassPathFirst} would otherwise).
 */
public final class BootstrapInjector {
    static final String PREFIX = "xray-batch-bootstrap/";
    private static final String SUFFIX = ".classdata";

    private BootstrapInjector() {
    }

    /** @return true when the classes were injected; false when running from a class directory (unit tests) */
    public static boolean inject(Instrumentation inst) throws IOException {
        File agentJar = agentJar();
        if (agentJar == null) {
            return false;
        }
        Map<String, byte[]> classes = readBridgeClasses(agentJar);
        if (classes.isEmpty()) {
            return false;
        }
        // Defined straight into the boot loader: appending a jar to the boot class path instead would make the JVM
        // switch class data sharing off for application classes (slower start, and a VM warning).
        if (isModular()) {
            try {
                defineThroughInternalUnsafe(inst, classes);
                AgentLog.debug("bootstrap bridge: " + classes.size() + " classes defined in the boot loader");
                return true;
            } catch (Throwable internalsClosed) {
                AgentLog.debug("bootstrap bridge: the JDK's class definition is not reachable (" + internalsClosed
                        + "); trying sun.misc.Unsafe");
            }
        }
        try {
            // Java 8, or a JDK without jdk.internal.misc.Unsafe.defineClass: sun.misc.Unsafe through Byte Buddy
            // (which Java 24 and later warn about on stderr).
            ClassInjector injector = ClassInjector.UsingUnsafe.Factory.resolve(inst).make(null);
            injector.injectRaw(classes);
            AgentLog.debug("bootstrap bridge: " + classes.size() + " classes defined in the boot loader");
        } catch (Throwable unsafeUnavailable) {
            appendAsJar(inst, classes);
        }
        return true;
    }

    /** Java 9 or later: there are modules, and the JDK's internals are closed unless the agent opens them. */
    private static boolean isModular() {
        try {
            Class.forName("java.lang.Module");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * Loads {@link InternalDefiner} from its class file in a class loader of its own, exports
     * {@code jdk.internal.misc} to that loader's unnamed module only (Instrumentation.redefineModule, the way the
     * JDK lets an agent open its internals), and has it define the classes. Reflection throughout: the agent
     * compiles for Java 8, which has no modules.
     */
    private static void defineThroughInternalUnsafe(Instrumentation inst, Map<String, byte[]> classes)
            throws Exception {
        String definerName = InternalDefiner.class.getName();
        byte[] definerBytes;
        try (InputStream in = BootstrapInjector.class.getResourceAsStream(
                "/" + definerName.replace('.', '/') + ".class")) {
            if (in == null) {
                throw new IOException("no class file for " + definerName);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            copy(in, bytes);
            definerBytes = bytes.toByteArray();
        }
        IsolatedLoader loader = new IsolatedLoader();
        Class<?> definer = loader.define(definerName, definerBytes);

        Class<?> moduleType = Class.forName("java.lang.Module");
        Object javaBase = Class.class.getMethod("getModule").invoke(Object.class);
        Object definerModule = ClassLoader.class.getMethod("getUnnamedModule").invoke(loader);
        Instrumentation.class.getMethod("redefineModule", moduleType, Set.class, Map.class, Map.class, Set.class,
                Map.class).invoke(inst, javaBase, Collections.emptySet(),
                Collections.singletonMap("jdk.internal.misc", Collections.singleton(definerModule)),
                Collections.emptyMap(), Collections.emptySet(), Collections.emptyMap());
        try {
            definer.getMethod("defineInBootLoader", Map.class).invoke(null, classes);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }

    /** A class loader for {@link InternalDefiner} alone; its parent is the boot loader (it uses only java.*). */
    private static final class IsolatedLoader extends ClassLoader {
        IsolatedLoader() {
            super(null);
        }

        Class<?> define(String name, byte[] bytes) {
            return defineClass(name, bytes, 0, bytes.length);
        }
    }

    private static Map<String, byte[]> readBridgeClasses(File agentJar) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        try (JarFile source = new JarFile(agentJar)) {
            Enumeration<JarEntry> entries = source.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) {
                    continue;
                }
                String className = name.substring(PREFIX.length(), name.length() - SUFFIX.length()).replace('/', '.');
                try (InputStream in = source.getInputStream(entry)) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    copy(in, bytes);
                    classes.put(className, bytes.toByteArray());
                }
            }
        }
        return classes;
    }

    private static void appendAsJar(Instrumentation inst, Map<String, byte[]> classes) throws IOException {
        File bootstrapJar = File.createTempFile("xray-batch-bootstrap", ".jar");
        bootstrapJar.deleteOnExit();
        try (JarOutputStream out = new JarOutputStream(new FileOutputStream(bootstrapJar))) {
            for (Map.Entry<String, byte[]> c : classes.entrySet()) {
                out.putNextEntry(new JarEntry(c.getKey().replace('.', '/') + ".class"));
                out.write(c.getValue());
                out.closeEntry();
            }
        }
        inst.appendToBootstrapClassLoaderSearch(new JarFile(bootstrapJar));
        AgentLog.debug("bootstrap bridge: " + classes.size() + " classes from " + bootstrapJar);
    }

    /** The agent's jar (the one this class came from), or null when it was loaded from a directory. */
    public static File agentJar() {
        try {
            URL location = BootstrapInjector.class.getProtectionDomain().getCodeSource().getLocation();
            File file = new File(location.toURI());
            return file.isFile() ? file : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
            out.write(buffer, 0, n);
        }
    }
}
