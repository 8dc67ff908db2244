package dev.xraybatch.agent.cli.check;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import net.bytebuddy.dynamic.ClassFileLocator;

/**
 * A class path as the user writes it ({@code app.jar:lib/*:classes/}): the class names it holds and a
 * {@link ClassFileLocator} over it, so classes are described from their class files and never loaded.
 */
final class ClassPathScan implements AutoCloseable {
    final List<String> classNames;
    final ClassFileLocator locator;
    final List<String> problems;

    private ClassPathScan(List<String> classNames, ClassFileLocator locator, List<String> problems) {
        this.classNames = classNames;
        this.locator = locator;
        this.problems = problems;
    }

    static ClassPathScan of(String classPath) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        List<ClassFileLocator> locators = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (File entry : expand(classPath, problems)) {
            if (entry.isDirectory()) {
                locators.add(new ClassFileLocator.ForFolder(entry));
                listFolder(entry.toPath(), names);
            } else if (entry.isFile()) {
                JarFile jar = new JarFile(entry);
                locators.add(new ClassFileLocator.ForJarFile(jar));
                listJar(jar, names);
            } else {
                problems.add("class path entry " + entry + " does not exist");
            }
        }
        // Super types and annotations from the JDK (Runnable, @FunctionalInterface) resolve through the tool's own.
        locators.add(ClassFileLocator.ForClassLoader.ofPlatformLoader());
        return new ClassPathScan(new ArrayList<>(names), new ClassFileLocator.Compound(locators), problems);
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

    private static void listJar(JarFile jar, TreeSet<String> names) {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (name.endsWith(".class") && !name.startsWith("META-INF/") && !name.endsWith("module-info.class")
                    && !name.endsWith("package-info.class")) {
                names.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
            }
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
        locator.close();
    }
}
