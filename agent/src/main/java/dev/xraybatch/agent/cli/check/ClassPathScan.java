package dev.xraybatch.agent.cli.check;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import net.bytebuddy.dynamic.ClassFileLocator;

/**
 * A class path as the user writes it ({@code app.jar:lib/*:classes/}): the class names it holds and a
 * {@link ClassFileLocator} over it, so classes are described from their class files and never loaded. A Spring
 * Boot executable jar or a war is read as the class path it stands for: {@code BOOT-INF/classes} or
 * {@code WEB-INF/classes}, and each jar of {@code BOOT-INF/lib}, {@code WEB-INF/lib} and
 * {@code WEB-INF/lib-provided} (copied to a temporary folder, deleted on {@link #close()}).
 */
final class ClassPathScan implements AutoCloseable {
    private static final List<String> PACKAGED_CLASSES = Arrays.asList("BOOT-INF/classes/", "WEB-INF/classes/");
    private static final List<String> PACKAGED_LIBS = Arrays.asList("BOOT-INF/lib/", "WEB-INF/lib/",
            "WEB-INF/lib-provided/");
    final List<String> classNames;
    final ClassFileLocator locator;
    final List<String> problems;
    private final Path nestedJars;

    private ClassPathScan(List<String> classNames, ClassFileLocator locator, List<String> problems, Path nestedJars) {
        this.classNames = classNames;
        this.locator = locator;
        this.problems = problems;
        this.nestedJars = nestedJars;
    }

    static ClassPathScan of(String classPath) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        List<ClassFileLocator> locators = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Path nestedJars = null;
        try {
            for (File entry : expand(classPath, problems)) {
                if (entry.isDirectory()) {
                    locators.add(new ClassFileLocator.ForFolder(entry));
                    listFolder(entry.toPath(), names);
                } else if (entry.isFile()) {
                    JarFile jar = new JarFile(entry);
                    String classesFolder = packagedClassesFolder(jar);
                    if (classesFolder == null) {
                        locators.add(new ClassFileLocator.ForJarFile(jar));
                        listJar(jar, "", names);
                        continue;
                    }
                    locators.add(new InJarFolder(jar, classesFolder));
                    listJar(jar, classesFolder, names);
                    if (nestedJars == null) {
                        nestedJars = Files.createTempDirectory("xray-batch-check");
                    }
                    for (File nested : copyNestedJars(jar, nestedJars.resolve(String.valueOf(locators.size())))) {
                        JarFile lib = new JarFile(nested);
                        locators.add(new ClassFileLocator.ForJarFile(lib));
                        listJar(lib, "", names);
                    }
                } else {
                    problems.add("class path entry " + entry + " does not exist");
                }
            }
        } catch (IOException | RuntimeException e) {
            new ClassPathScan(null, new ClassFileLocator.Compound(locators), problems, nestedJars).close();
            throw e;
        }
        // Super types and annotations from the JDK (Runnable, @FunctionalInterface) resolve through the tool's own.
        locators.add(ClassFileLocator.ForClassLoader.ofPlatformLoader());
        return new ClassPathScan(new ArrayList<>(names), new ClassFileLocator.Compound(locators), problems,
                nestedJars);
    }

    /** {@code BOOT-INF/classes/} or {@code WEB-INF/classes/} for a Spring Boot jar or a war, else null. */
    private static String packagedClassesFolder(JarFile jar) {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            for (String folder : PACKAGED_CLASSES) {
                if (name.startsWith(folder) || name.startsWith(folder.substring(0, folder.indexOf('/') + 1) + "lib")) {
                    return folder;
                }
            }
        }
        return null;
    }

    /** The jars of the packaged {@code lib} folders, copied into {@code target} (the JDK reads jars from files). */
    private static List<File> copyNestedJars(JarFile jar, Path target) throws IOException {
        List<File> copies = new ArrayList<>();
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
            JarEntry entry = entries.nextElement();
            String name = entry.getName();
            int slash = name.lastIndexOf('/');
            if (entry.isDirectory() || !name.endsWith(".jar") || !PACKAGED_LIBS.contains(name.substring(0, slash + 1))) {
                continue;
            }
            Path copy = Files.createDirectories(target).resolve(copies.size() + "-" + name.substring(slash + 1));
            try (InputStream in = jar.getInputStream(entry)) {
                Files.copy(in, copy);
            }
            copies.add(copy.toFile());
        }
        return copies;
    }

    /** Splits on the platform's separator; {@code dir/*} stands for every jar in dir, as with {@code java -cp}. */
    private static List<File> expand(String classPath, List<String> problems) {
        List<File> entries = new ArrayList<>();
        for (String part : classPath.split(File.pathSeparator)) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.endsWith("*")) {
                File dir = new File(part.substring(0, part.length() - 1));
                File[] jars = dir.listFiles((d, name) -> name.endsWith(".jar") || name.endsWith(".JAR"));
                if (jars == null) {
                    problems.add("class path entry " + part + ": " + dir + " is not a directory");
                    continue;
                }
                Arrays.sort(jars);
                entries.addAll(Arrays.asList(jars));
            } else {
                entries.add(new File(part));
            }
        }
        return entries;
    }

    /** The classes of the jar under {@code folder} ("" for the jar's root, as on a plain class path). */
    private static void listJar(JarFile jar, String folder, TreeSet<String> names) {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (!name.startsWith(folder)) {
                continue;
            }
            name = name.substring(folder.length());
            if (name.endsWith(".class") && !name.startsWith("META-INF/") && !name.startsWith("BOOT-INF/")
                    && !name.startsWith("WEB-INF/") && !name.endsWith("module-info.class")
                    && !name.endsWith("package-info.class")) {
                names.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
            }
        }
    }

    /** Class files under a folder of a jar, e.g. {@code BOOT-INF/classes/com/acme/Job.class}. */
    private static final class InJarFolder implements ClassFileLocator {
        private final JarFile jar;
        private final String folder;

        InJarFolder(JarFile jar, String folder) {
            this.jar = jar;
            this.folder = folder;
        }

        @Override
        public Resolution locate(String name) throws IOException {
            JarEntry entry = jar.getJarEntry(folder + name.replace('.', '/') + ".class");
            if (entry == null) {
                return new Resolution.Illegal(name);
            }
            try (InputStream in = jar.getInputStream(entry)) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    bytes.write(buffer, 0, n);
                }
                return new Resolution.Explicit(bytes.toByteArray());
            }
        }

        @Override
        public void close() throws IOException {
            jar.close();
        }
    }

    private static void listFolder(Path root, TreeSet<String> names) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".class")).forEach(f -> {
                String relative = root.relativize(f).toString();
                if (!relative.endsWith("module-info.class") && !relative.endsWith("package-info.class")) {
                    names.add(relative.substring(0, relative.length() - ".class".length())
                            .replace(File.separatorChar, '.'));
                }
            });
        }
    }

    @Override
    public void close() throws IOException {
        try {
            locator.close();
        } finally {
            if (nestedJars != null) {
                try (Stream<Path> files = Files.walk(nestedJars)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }
}
