package dev.xraybatch.agent.config;

import dev.xraybatch.agent.config.pointcut.Pointcut;
import dev.xraybatch.agent.config.pointcut.PointcutParser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The YAML file: settings (a key per {@link Setting}, dotted keys as nested sections) and {@code pointcuts}.
 * Read through SnakeYAML's node API so every problem can point at its line and column.
 */
final class ConfigFile {
    static final String POINTCUTS_KEY = "pointcuts";
    /**
     * The largest config file read, in bytes. Fifty pointcuts take about 5 kB; SnakeYAML's time grows with the
     * square of a scalar's length (a 256 kB scalar took seconds), so a file over this is not read at all and a
     * hostile or mistaken file (a log, a data file named by mistake) costs the job's start next to nothing.
     */
    static final int MAX_BYTES = 64 * 1024;
    /** Bounds on the YAML itself, for what fits in {@link #MAX_BYTES}: deep nesting and alias bombs. */
    static final int MAX_NESTING_DEPTH = 30;
    static final int MAX_ALIASES = 20;
    /** What a file that cannot be used costs: only what it configured. */
    private static final String AS_IF_NONE = "the job is traced as with no config file";
    /** Directory entries looked at for a file name close to a missing one. */
    private static final int MAX_SIBLINGS = 1000;

    /** A setting's value as written in the file, with the node to point at when it is wrong. */
    static final class RawValue {
        final String text;
        final Node node;

        RawValue(String text, Node node) {
            this.text = text;
            this.node = node;
        }
    }

    /**
     * False when the file could not be read or parsed at all: nothing of it applies, and the job is traced as with
     * no config file (a typo in its path must not cost the trace the agent takes without one).
     */
    final boolean usable;
    final Map<String, RawValue> values;
    final List<Pointcut> pointcuts;

    private ConfigFile(boolean usable, Map<String, RawValue> values, List<Pointcut> pointcuts) {
        this.usable = usable;
        this.values = values;
        this.pointcuts = pointcuts;
    }

    static ConfigFile read(String location, Problems problems) {
        problems.setFileName(location);
        Node root;
        try {
            Path path = Paths.get(location);
            String notReadable = whyNotRead(path);
            byte[] content = notReadable == null ? readAtMost(path, MAX_BYTES) : null;
            if (notReadable == null && content == null) {
                notReadable = "grew over the " + MAX_BYTES + " bytes a config file may have while it was read";
            }
            if (notReadable != null) {
                problems.inFile(notReadable + "; it is not read and the job is traced as with no config file. "
                        + "Name a YAML file of at most " + MAX_BYTES / 1024 + " kB in config=, -Dxraybatch.config "
                        + "or XRAY_BATCH_CONFIG");
                return new ConfigFile(true, Collections.<String, RawValue>emptyMap(),
                        Collections.<Pointcut>emptyList());
            }
            root = new Yaml(new SafeConstructor(loaderOptions())).compose(
                    new InputStreamReader(new ByteArrayInputStream(content), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            problems.inFile("the config file does not exist; " + AS_IF_NONE + ". Check the path given as config=, "
                    + "-Dxraybatch.config or XRAY_BATCH_CONFIG" + similarFile(location));
            return unusable();
        } catch (IOException e) {
            problems.inFile("the config file cannot be read (" + e + "); " + AS_IF_NONE + ". "
                    + "Make it readable by the job's user");
            return unusable();
        } catch (MarkedYAMLException e) {
            problems.atMark(e.getProblemMark(), "the YAML does not parse: " + e.getProblem()
                    + "; " + AS_IF_NONE + " until it is fixed");
            return unusable();
        } catch (YAMLException e) {
            problems.inFile("the YAML does not parse: " + e.getMessage()
                    + "; " + AS_IF_NONE + " until it is fixed");
            return unusable();
        } catch (RuntimeException e) {
            problems.inFile("the config file cannot be read (" + e + "); " + AS_IF_NONE);
            return unusable();
        }
        if (root == null) {
            return new ConfigFile(true, Collections.<String, RawValue>emptyMap(), Collections.<Pointcut>emptyList());
        }
        if (!(root instanceof MappingNode)) {
            problems.at(root, "(top level)", "the file must be a mapping of settings (key: value lines) with an "
                    + "optional 'pointcuts' list; " + AS_IF_NONE + " until it is fixed");
            return unusable();
        }
        Map<String, RawValue> values = new LinkedHashMap<>();
        List<Pointcut> pointcuts = new ArrayList<>();
        readSection((MappingNode) root, "", values, pointcuts, problems);
        return new ConfigFile(true, values, pointcuts);
    }

    /**
     * Why the file is not read, or null: only a regular file of at most {@link #MAX_BYTES} is. Opening a FIFO
     * blocks until something writes to it, and the agent reads its config before the job's {@code main}.
     */
    private static String whyNotRead(Path path) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        if (attributes.isDirectory()) {
            return "is a directory, not a file";
        }
        if (!attributes.isRegularFile()) {
            return "is not a regular file (a FIFO, socket or device)";
        }
        if (attributes.size() > MAX_BYTES) {
            return "is " + attributes.size() + " bytes, over the " + MAX_BYTES + " a config file may have";
        }
        return null;
    }

    /** The file's bytes, or null when there are more than {@code limit} (it grew since it was looked at). */
    private static byte[] readAtMost(Path path, int limit) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                bytes.write(buffer, 0, n);
                if (bytes.size() > limit) {
                    return null;
                }
            }
            return bytes.toByteArray();
        }
    }

    /** " (did you mean /opt/xray-batch.yaml?)" when the missing file's folder has a file of a close name. */
    private static String similarFile(String location) {
        try {
            Path missing = Paths.get(location).toAbsolutePath();
            Path folder = missing.getParent();
            if (folder == null || missing.getFileName() == null) {
                return "";
            }
            String wanted = missing.getFileName().toString();
            String best = null;
            int bestDistance = Integer.MAX_VALUE;
            int seen = 0;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
                for (Path entry : entries) {
                    if (++seen > MAX_SIBLINGS) {
                        break;
                    }
                    String name = entry.getFileName().toString();
                    int distance = YamlNodes.editDistance(wanted, name);
                    if (distance < bestDistance && Files.isRegularFile(entry)) {
                        bestDistance = distance;
                        best = name;
                    }
                }
            }
            if (best == null || bestDistance > Math.max(2, wanted.length() / 4)) {
                return "";
            }
            Path given = Paths.get(location);
            return " (did you mean " + (given.getParent() == null ? best : given.resolveSibling(best)) + "?)";
        } catch (IOException | RuntimeException e) {
            return ""; // the folder is missing or unreadable too: the message says enough
        }
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_BYTES);
        options.setNestingDepthLimit(MAX_NESTING_DEPTH);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        return options;
    }

    private static ConfigFile unusable() {
        return new ConfigFile(false, Collections.<String, RawValue>emptyMap(), Collections.<Pointcut>emptyList());
    }

    private static void readSection(MappingNode section, String prefix, Map<String, RawValue> values,
                                    List<Pointcut> pointcuts, Problems problems) {
        Set<String> seen = new HashSet<>();
        for (NodeTuple entry : section.getValue()) {
            Node keyNode = entry.getKeyNode();
            Node valueNode = entry.getValueNode();
            if (!(keyNode instanceof ScalarNode)) {
                problems.at(keyNode, prefix.isEmpty() ? "(top level)" : prefix.substring(0, prefix.length() - 1),
                        "a key must be a plain name; write key: value");
                continue;
            }
            String key = prefix + ((ScalarNode) keyNode).getValue();
            if (!seen.add(key)) {
                problems.at(keyNode, key, "appears twice; keep one");
                continue;
            }
            if (prefix.isEmpty() && POINTCUTS_KEY.equals(key)) {
                pointcuts.addAll(new PointcutParser(problems).parse(valueNode, POINTCUTS_KEY));
                continue;
            }
            Setting<?> setting = Settings.byKey(key);
            if (setting != null && !setting.allowedInFile()) {
                problems.at(keyNode, key, "cannot be set inside the file it names; give it as agent argument "
                        + "config=..., -D" + setting.propertyName() + " or " + setting.environmentName());
            } else if (setting != null) {
                readValue(setting, valueNode, values, problems);
            } else if (Settings.isSection(key)) {
                if (valueNode instanceof MappingNode) {
                    readSection((MappingNode) valueNode, key + ".", values, pointcuts, problems);
                } else {
                    problems.at(valueNode, key, "expected a section of settings (key: value lines indented below "
                            + key + ":)");
                }
            } else {
                problems.at(keyNode, key, "unknown key; " + suggestion(key));
            }
        }
    }

    private static void readValue(Setting<?> setting, Node node, Map<String, RawValue> values, Problems problems) {
        if (!(node instanceof ScalarNode)) {
            problems.at(node, setting.key(), "expected " + setting.expectation()
                    + " but found " + YamlNodes.describe(node) + "; write " + setting.key() + ": <value>");
            return;
        }
        if (Tag.NULL.equals(node.getTag())) {
            return; // "region:" with nothing after it: left unset, as if absent
        }
        String text = ((ScalarNode) node).getValue();
        try {
            setting.parse(text);
            values.put(setting.key(), new RawValue(text, node));
        } catch (IllegalArgumentException e) {
            problems.at(node, setting.key(), e.getMessage());
        }
    }

    /** "did you mean" for a mistyped key of the file ({@link Suggestions}), else the list of keys. */
    static String suggestion(String key) {
        List<String> known = new ArrayList<>();
        for (Setting<?> setting : Settings.all()) {
            if (setting.allowedInFile()) {
                known.add(setting.key());
            }
        }
        known.add(POINTCUTS_KEY);
        String closest = Suggestions.closest(key, known);
        if (closest != null) {
            return "did you mean '" + closest + "'?";
        }
        return "known keys are " + String.join(", ", known) + " (see docs/configuration.md)";
    }
}
