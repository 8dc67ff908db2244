package dev.xraybatch.agent.config;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Small helpers for messages about YAML nodes. */
public final class YamlNodes {
    private YamlNodes() {
    }

    /** What the user wrote, in words: "a list", "a section", "the number 3", "'abc'". */
    public static String describe(Node node) {
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (node instanceof MappingNode) {
            return "a section (key: value lines)";
        }
        if (node instanceof ScalarNode) {
            Tag tag = node.getTag();
            String value = ((ScalarNode) node).getValue();
            if (Tag.NULL.equals(tag)) {
                return "nothing";
            }
            if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
                return "the number " + value;
            }
            if (Tag.BOOL.equals(tag)) {
                return value;
            }
            return "'" + value + "'";
        }
        return "an alias";
    }

    /** Levenshtein distance, for "did you mean" hints. */
    public static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
