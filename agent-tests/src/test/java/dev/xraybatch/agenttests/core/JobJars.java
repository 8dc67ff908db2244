package dev.xraybatch.agenttests.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

/**
 * Packs test jobs the three ways jobs ship for {@code java -jar}: a fat jar (classes and library together), a thin
 * jar whose manifest's {@code Class-Path} names the library beside it, and a Spring Boot executable jar (Boot's real
 * launcher at the top, the job in {@code BOOT-INF/classes}, the library in {@code BOOT-INF/lib}), as Boot's Maven
 * plugin lays it out.
 */
final class JobJars {
    /** Spring Boot's launcher since Boot 3.2 (before: {@code org.springframework.boot.loader.JarLauncher}). */
    static final String BOOT_LAUNCHER = "org.springframework.boot.loader.launch.JarLauncher";

    private final Path dir;
    private final List<Class<?>> jobClasses;
    private final List<Class<?>> libraryClasses;

    /** @param jobClasses the job's own classes; @param libraryClasses the classes of its one library jar */
    JobJars(Path dir, List<Class<?>> jobClasses, List<Class<?>> libraryClasses) {
        this.dir = dir;
        this.jobClasses = jobClasses;
        this.libraryClasses = libraryClasses;
    }

    Path fat(Class<?> main) {
        Path jar = dir.resolve("fat-" + main.getSimpleName() + ".jar");
        try (JarOutputStream out = open(jar, manifest(main.getName()))) {
            Set<String> written = new HashSet<>();
            addClasses(out, "", jobClasses, written);
            addClasses(out, "", libraryClasses, written);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jar;
    }

    Path thin(Class<?> main) {
        Path jar = dir.resolve("thin-" + main.getSimpleName() + ".jar");
        Path lib = dir.resolve("lib").resolve("outcome-lib.jar");
        Manifest manifest = manifest(main.getName());
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "lib/outcome-lib.jar");
        try {
            Files.createDirectories(lib.getParent());
            Files.write(lib, library());
            try (JarOutputStream out = open(jar, manifest)) {
                addClasses(out, "", jobClasses, new HashSet<>());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jar;
    }

    Path boot(Class<?> main) {
        Path jar = dir.resolve("boot-" + main.getSimpleName() + ".jar");
        Manifest manifest = manifest(BOOT_LAUNCHER);
        Attributes attributes = manifest.getMainAttributes();
        attributes.putValue("Start-Class", main.getName());
        attributes.putValue("Spring-Boot-Classes", "BOOT-INF/classes/");
        attributes.putValue("Spring-Boot-Lib", "BOOT-INF/lib/");
        try (JarOutputStream out = open(jar, manifest); JarFile loader = new JarFile(bootLoaderJar().toFile())) {
            Set<String> written = new HashSet<>();
            for (Enumeration<JarEntry> entries = loader.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                if (entry.getName().startsWith("META-INF/") || !written.add(entry.getName())) {
                    continue;
                }
                out.putNextEntry(new JarEntry(entry.getName()));
                if (!entry.isDirectory()) {
                    try (InputStream in = loader.getInputStream(entry)) {
                        in.transferTo(out);
                    }
                }
                out.closeEntry();
            }
            addClasses(out, "BOOT-INF/classes/", jobClasses, written);
            // Boot reads nested jars in place: they must be stored, not deflated.
            byte[] lib = library();
            JarEntry nested = new JarEntry("BOOT-INF/lib/outcome-lib.jar");
            nested.setMethod(ZipEntry.STORED);
            nested.setSize(lib.length);
            CRC32 crc = new CRC32();
            crc.update(lib);
            nested.setCrc(crc.getValue());
            out.putNextEntry(nested);
            out.write(lib);
            out.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jar;
    }

    private byte[] library() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
            addClasses(out, "", libraryClasses, new HashSet<>());
        }
        return bytes.toByteArray();
    }

    /** Spring Boot's loader, from the test's own class path (the spring-boot-loader artifact). */
    private static Path bootLoaderJar() {
        try {
            Class<?> launcher = Class.forName(BOOT_LAUNCHER);
            return Path.of(launcher.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException("spring-boot-loader is not on the test class path", e);
        }
    }

    private static Manifest manifest(String mainClass) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        return manifest;
    }

    private static JarOutputStream open(Path jar, Manifest manifest) throws IOException {
        Files.createDirectories(jar.getParent());
        OutputStream file = Files.newOutputStream(jar);
        return new JarOutputStream(file, manifest);
    }

    /** Each class file with the directories above it, as build tools write them. */
    private static void addClasses(JarOutputStream out, String prefix, List<Class<?>> classes, Set<String> written)
            throws IOException {
        for (Class<?> type : classes) {
            String path = prefix + type.getName().replace('.', '/') + ".class";
            for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
                String directory = path.substring(0, slash + 1);
                if (written.add(directory)) {
                    out.putNextEntry(new JarEntry(directory));
                    out.closeEntry();
                }
            }
            out.putNextEntry(new JarEntry(path));
            try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
                in.transferTo(out);
            }
            out.closeEntry();
        }
    }
}
