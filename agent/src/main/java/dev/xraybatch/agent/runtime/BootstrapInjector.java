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
import java.net.URL;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
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
        try {
            // Defined straight into the boot loader: appending a jar to the boot class path instead would make
            // the JVM switch class data sharing off for application classes (slower start, and a VM warning).
            ClassInjector injector = ClassInjector.UsingUnsafe.Factory.resolve(inst).make(null);
            injector.injectRaw(classes);
            AgentLog.debug("bootstrap bridge: " + classes.size() + " classes defined in the boot loader");
        } catch (Throwable unsafeUnavailable) {
            appendAsJar(inst, classes);
        }
        return true;
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
