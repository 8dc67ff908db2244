package dev.xraybatch.agent.runtime;

import dev.xraybatch.agent.log.AgentLog;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.util.Enumeration;
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
        File bootstrapJar = File.createTempFile("xray-batch-bootstrap", ".jar");
        bootstrapJar.deleteOnExit();
        int copied = 0;
        try (JarFile source = new JarFile(agentJar);
             JarOutputStream out = new JarOutputStream(new FileOutputStream(bootstrapJar))) {
            Enumeration<JarEntry> entries = source.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) {
                    continue;
                }
                String className = name.substring(PREFIX.length(), name.length() - SUFFIX.length()) + ".class";
                out.putNextEntry(new JarEntry(className));
                try (InputStream in = source.getInputStream(entry)) {
                    copy(in, out);
                }
                out.closeEntry();
                copied++;
            }
        }
        if (copied == 0) {
            return false;
        }
        inst.appendToBootstrapClassLoaderSearch(new JarFile(bootstrapJar));
        AgentLog.debug("bootstrap bridge: " + copied + " classes from " + bootstrapJar);
        return true;
    }

    /** The jar this class came from, or null when it was loaded from a directory. */
    private static File agentJar() {
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
