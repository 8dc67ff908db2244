package dev.xraybatch.benchmarks.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Small helpers the whole-process benchmarks share: medians, the machine's load, cleaning up a work folder. */
public final class Stats {
    private Stats() {
    }

    public static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The three load averages, as {@code /proc/loadavg} gives them. */
    public static String loadAverage() throws IOException {
        String[] fields = new String(Files.readAllBytes(Paths.get("/proc/loadavg")), StandardCharsets.UTF_8)
                .split(" ");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }

    public static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
