package dev.xraybatch.benchmarks.startup;

import java.util.HashMap;
import java.util.Map;

/** The start-up benchmark's job (as in shared/reference/anchors.md): 100k map puts and 1M Integer.toString. */
public final class TrivialJob {
    private TrivialJob() {
    }

    public static void main(String[] args) {
        Map<Integer, Integer> map = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            map.put(i, i * 31);
        }
        long length = 0;
        for (int i = 0; i < 1_000_000; i++) {
            length += Integer.toString(i).length();
        }
        // Printed so that the work cannot be optimised away.
        System.out.println("trivial job: " + map.size() + " entries, " + length + " characters");
    }
}
