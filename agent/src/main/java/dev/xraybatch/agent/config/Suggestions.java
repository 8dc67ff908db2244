package dev.xraybatch.agent.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * "Did you mean" for a mistyped name, one rule for every place a name is typed: agent arguments, system
 * properties, environment variables, the YAML file's keys and a pointcut's keys. Names are compared ignoring case,
 * with {@code .} and {@code _} alike (an environment variable cannot tell them apart), and a dotted setting also
 * by its last part, so {@code windw_s} finds {@code long_jobs.window_s}.
 */
public final class Suggestions {
    private Suggestions() {
    }

    /**
     * The candidate closest to {@code typed}, or null when none is close enough (at most 2 edits, or a quarter of
     * the name's length for long names).
     */
    public static String closest(String typed, List<String> candidates) {
        String wanted = normalize(typed);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            String name = normalize(candidate);
            int distance = YamlNodes.editDistance(wanted, name);
            int dot = candidate.lastIndexOf('.');
            if (dot >= 0) {
                distance = Math.min(distance, YamlNodes.editDistance(wanted, normalize(candidate.substring(dot + 1))));
            }
            if (distance < bestDistance) {
                bestDistance = distance;
                best = candidate;
            }
        }
        return best != null && bestDistance <= Math.max(2, wanted.length() / 4) ? best : null;
    }

    /**
     * The setting a mistyped key most likely meant, or null. {@code typed} is the key as written in the source,
     * without its prefix: {@code windw_s}, {@code EXPORTR} (of {@code XRAY_BATCH_EXPORTR}).
     */
    public static Setting<?> closestSetting(String typed, boolean inFile) {
        Map<String, Setting<?>> byKey = new LinkedHashMap<>();
        for (Setting<?> setting : Settings.all()) {
            if (!inFile || setting.allowedInFile()) {
                byKey.put(setting.key(), setting);
            }
        }
        String key = closest(typed, new ArrayList<>(byKey.keySet()));
        return key == null ? null : byKey.get(key);
    }

    private static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replace('.', '_');
    }
}
