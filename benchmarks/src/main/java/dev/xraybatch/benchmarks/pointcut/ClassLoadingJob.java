package dev.xraybatch.benchmarks.pointcut;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;

/**
 * The start-up benchmark's job: loads (without initialising) every class named in a file, as a Spark driver
 * loads thousands of classes while it starts. Each load goes through the agent's matching; classes that cannot
 * link on this class path (optional dependencies) are counted, not fatal.
 *
 * <p>Usage: {@code ClassLoadingJob <file with one class name a line>}.
 */
public final class ClassLoadingJob {
    private ClassLoadingJob() {
    }

    public static void main(String[] args) throws IOException {
        List<String> names = Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8);
        ClassLoader loader = ClassLoadingJob.class.getClassLoader();
        int loaded = 0;
        int failed = 0;
        for (String name : names) {
            try {
                Class.forName(name, false, loader);
                loaded++;
            } catch (ClassNotFoundException | LinkageError e) {
                failed++;
            }
        }
        System.out.println("class loading job: " + loaded + " classes loaded, " + failed + " could not link");
    }
}
