package dev.xraybatch.agent.config.pointcut;

import dev.xraybatch.agent.config.Problems;
import dev.xraybatch.agent.config.Suggestions;
import dev.xraybatch.agent.config.YamlNodes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads the {@code pointcuts} list. Each problem is reported at its node with its path
 * ({@code pointcuts[2].methods[1]}); an entry with any problem is left out whole, so a half-understood entry never
 * traces something the user did not mean. The other entries apply.
 */
public final class PointcutParser {
    private static final String ANNOTATION_KEY = "[A-Za-z0-9_]+";

    private final Problems problems;

    public PointcutParser(Problems problems) {
        this.problems = problems;
    }

    /** The valid pointcuts of the list node; problems go to the {@link Problems} given. */
    public List<Pointcut> parse(Node listNode, String path) {
        if (listNode instanceof ScalarNode && Tag.NULL.equals(listNode.getTag())) {
            return Collections.emptyList();
        }
        if (!(listNode instanceof SequenceNode)) {
            problems.at(listNode, path, "expected a list of pointcuts (entries starting with '- classes: ...') "
                    + "but found " + YamlNodes.describe(listNode));
            return Collections.emptyList();
        }
        List<Pointcut> pointcuts = new ArrayList<>();
        List<Node> entries = ((SequenceNode) listNode).getValue();
        int skipped = 0;
        for (int i = 0; i < entries.size(); i++) {
            int problemsBefore = problems.size();
            Pointcut pointcut = parseEntry(entries.get(i), i, path + "[" + i + "]");
            if (pointcut != null && problems.size() == problemsBefore) {
                pointcuts.add(pointcut);
            } else {
                skipped++;
            }
        }
        if (skipped > 0) {
            problems.at(listNode, path, skipped + " of " + entries.size() + " pointcuts skipped because of the "
                    + "problems above; the others apply");
        }
        return pointcuts;
    }

    private Pointcut parseEntry(Node node, int index, String path) {
        if (!(node instanceof MappingNode)) {
            problems.at(node, path, "expected a pointcut (key: value lines such as classes: com.acme.**) but found "
                    + YamlNodes.describe(node));
            return null;
        }
        Map<PointcutKey, NodeTuple> entries = new EnumMap<>(PointcutKey.class);
        for (NodeTuple tuple : ((MappingNode) node).getValue()) {
            String key = tuple.getKeyNode() instanceof ScalarNode ? ((ScalarNode) tuple.getKeyNode()).getValue() : "";
            PointcutKey known = PointcutKey.fromYaml(key);
            if (known == null) {
                problems.at(tuple.getKeyNode(), path + "." + key, "unknown key; " + suggestion(key));
            } else if (entries.put(known, tuple) != null) {
                problems.at(tuple.getKeyNode(), path + "." + key, "appears twice; keep one");
            }
        }
        if (!entries.containsKey(PointcutKey.CLASSES)) {
            problems.at(node, path, "'classes' is missing; every pointcut names its classes, "
                    + "e.g. classes: com.acme.etl.**");
            return null;
        }
        Entry entry = new Entry(path, entries);
        List<ClassPattern> classes = entry.classPatterns(PointcutKey.CLASSES);
        List<ClassPattern> excludes = entry.classPatterns(PointcutKey.EXCLUDE);
        List<String> subtypesOf = entry.exactNames(PointcutKey.SUBTYPES_OF);
        List<String> classAnnotations = entry.exactNames(PointcutKey.CLASSES_ANNOTATED_WITH);
        List<MethodPattern> methods = entry.methodPatterns();
        List<String> methodAnnotations = entry.exactNames(PointcutKey.METHODS_ANNOTATED_WITH);
        Set<Visibility> visibilities = entry.visibilities();
        NameTemplate name = entry.name();
        Map<String, ValuePath> annotations = entry.paths(PointcutKey.ANNOTATIONS, true);
        Map<String, ValuePath> metadata = entry.paths(PointcutKey.METADATA, false);
        boolean recordExceptions = entry.flag(PointcutKey.RECORD_EXCEPTIONS, true);
        int limit = entry.limit();
        if (name == null) {
            return null;
        }
        String location = problems.fileName() + ":" + (node.getStartMark().getLine() + 1) + ":"
                + (node.getStartMark().getColumn() + 1) + " " + path;
        Pointcut pointcut = new Pointcut(index, location, classes, excludes, subtypesOf, classAnnotations, methods,
                methodAnnotations, visibilities, name, annotations, metadata, recordExceptions, limit,
                entry.writtenPaths());
        entry.checkArgumentsExist(methods);
        return pointcut;
    }

    private static String suggestion(String key) {
        List<String> known = new ArrayList<>();
        for (PointcutKey candidate : PointcutKey.values()) {
            known.add(candidate.yamlKey());
        }
        String closest = Suggestions.closest(key, known);
        if (closest != null) {
            return "did you mean '" + closest + "'?";
        }
        return "a pointcut has the keys " + String.join(", ", known);
    }

    /** One entry being read; remembers where each argument reference was written, for the cross-check. */
    private final class Entry {
        private final String path;
        private final Map<PointcutKey, NodeTuple> entries;
        private final List<Object[]> argumentReferences = new ArrayList<>(); // {Node, path, ValuePath}

        Entry(String path, Map<PointcutKey, NodeTuple> entries) {
            this.path = path;
            this.entries = entries;
        }

        private String pathOf(PointcutKey key) {
            return path + "." + key.yamlKey();
        }

        /** A scalar or a list of scalars, as (node, path, text) triples; reports anything else. */
        private List<Object[]> scalars(PointcutKey key, String example) {
            List<Object[]> result = new ArrayList<>();
            NodeTuple tuple = entries.get(key);
            if (tuple == null) {
                return result;
            }
            Node value = tuple.getValueNode();
            if (value instanceof ScalarNode && !Tag.NULL.equals(value.getTag())) {
                result.add(new Object[] {value, pathOf(key), ((ScalarNode) value).getValue()});
            } else if (value instanceof SequenceNode && !((SequenceNode) value).getValue().isEmpty()) {
                List<Node> items = ((SequenceNode) value).getValue();
                for (int i = 0; i < items.size(); i++) {
                    Node item = items.get(i);
                    String itemPath = pathOf(key) + "[" + i + "]";
                    if (item instanceof ScalarNode && !Tag.NULL.equals(item.getTag())) {
                        result.add(new Object[] {item, itemPath, ((ScalarNode) item).getValue()});
                    } else {
                        problems.at(item, itemPath, "expected " + example + " but found " + YamlNodes.describe(item));
                    }
                }
            } else {
                problems.at(value, pathOf(key), "expected " + example + " or a list of them but found "
                        + YamlNodes.describe(value));
            }
            return result;
        }

        List<ClassPattern> classPatterns(PointcutKey key) {
            List<ClassPattern> patterns = new ArrayList<>();
            for (Object[] scalar : scalars(key, "a class pattern such as com.acme.etl.*")) {
                try {
                    patterns.add(ClassPattern.parse((String) scalar[2]));
                } catch (IllegalArgumentException e) {
                    problems.at((Node) scalar[0], (String) scalar[1], e.getMessage());
                }
            }
            return patterns;
        }

        List<String> exactNames(PointcutKey key) {
            List<String> names = new ArrayList<>();
            for (Object[] scalar : scalars(key, "a class name such as com.acme.etl.Step")) {
                String name = ((String) scalar[2]).trim();
                try {
                    ClassPattern.checkExactName(name);
                    names.add(name);
                } catch (IllegalArgumentException e) {
                    problems.at((Node) scalar[0], (String) scalar[1], e.getMessage());
                }
            }
            return names;
        }

        List<MethodPattern> methodPatterns() {
            List<MethodPattern> patterns = new ArrayList<>();
            if (!entries.containsKey(PointcutKey.METHODS)) {
                patterns.add(MethodPattern.parse("*"));
                return patterns;
            }
            for (Object[] scalar : scalars(PointcutKey.METHODS, "a method pattern such as process* or load(String)")) {
                try {
                    patterns.add(MethodPattern.parse((String) scalar[2]));
                } catch (IllegalArgumentException e) {
                    problems.at((Node) scalar[0], (String) scalar[1], e.getMessage());
                }
            }
            return patterns;
        }

        Set<Visibility> visibilities() {
            Set<Visibility> visibilities = EnumSet.noneOf(Visibility.class);
            for (Object[] scalar : scalars(PointcutKey.VISIBILITY, "public, protected, package or private")) {
                Visibility visibility = Visibility.fromYaml((String) scalar[2]);
                if (visibility == null) {
                    problems.at((Node) scalar[0], (String) scalar[1], "'" + scalar[2] + "' is not a visibility; "
                            + "use public, protected, package or private");
                } else {
                    visibilities.add(visibility);
                }
            }
            return visibilities;
        }

        /** The name template; null (reported) when it is wrong. */
        NameTemplate name() {
            NodeTuple tuple = entries.get(PointcutKey.NAME);
            if (tuple == null) {
                return NameTemplate.parse(NameTemplate.DEFAULT);
            }
            Node value = tuple.getValueNode();
            String namePath = pathOf(PointcutKey.NAME);
            if (!(value instanceof ScalarNode) || Tag.NULL.equals(value.getTag())) {
                problems.at(value, namePath, "expected a name such as \"process {arg0}\" but found "
                        + YamlNodes.describe(value));
                return null;
            }
            try {
                NameTemplate template = NameTemplate.parse(((ScalarNode) value).getValue());
                for (NameTemplate.Part part : template.parts()) {
                    if (part.kind() == NameTemplate.Part.Kind.VALUE) {
                        argumentReferences.add(new Object[] {value, namePath, part.path()});
                    }
                }
                return template;
            } catch (IllegalArgumentException e) {
                problems.at(value, namePath, e.getMessage());
                return null;
            }
        }

        Map<String, ValuePath> paths(PointcutKey key, boolean annotationKeys) {
            Map<String, ValuePath> paths = new LinkedHashMap<>();
            NodeTuple tuple = entries.get(key);
            if (tuple == null) {
                return paths;
            }
            Node value = tuple.getValueNode();
            if (!(value instanceof MappingNode)) {
                problems.at(value, pathOf(key), "expected key: path lines such as 'rows: return.size' but found "
                        + YamlNodes.describe(value));
                return paths;
            }
            for (NodeTuple item : ((MappingNode) value).getValue()) {
                String name = item.getKeyNode() instanceof ScalarNode
                        ? ((ScalarNode) item.getKeyNode()).getValue() : "";
                String itemPath = pathOf(key) + "." + name;
                Node pathNode = item.getValueNode();
                if (annotationKeys && !name.matches(ANNOTATION_KEY)) {
                    problems.at(item.getKeyNode(), itemPath, "'" + name + "' is not an annotation key; X-Ray allows "
                            + "letters, digits and _ only, e.g. row_count");
                } else if (name.isEmpty()) {
                    problems.at(item.getKeyNode(), itemPath, "the key is empty; write key: path, e.g. "
                            + "table: arg0.name");
                } else if (paths.containsKey(name)) {
                    problems.at(item.getKeyNode(), itemPath, "appears twice; keep one");
                } else if (!(pathNode instanceof ScalarNode) || Tag.NULL.equals(pathNode.getTag())) {
                    problems.at(pathNode, itemPath, "expected a path such as arg0.key or return.size but found "
                            + YamlNodes.describe(pathNode));
                } else {
                    try {
                        ValuePath path = ValuePath.parse(((ScalarNode) pathNode).getValue());
                        paths.put(name, path);
                        argumentReferences.add(new Object[] {pathNode, itemPath, path});
                    } catch (IllegalArgumentException e) {
                        problems.at(pathNode, itemPath, e.getMessage());
                    }
                }
            }
            return paths;
        }

        boolean flag(PointcutKey key, boolean defaultValue) {
            NodeTuple tuple = entries.get(key);
            if (tuple == null) {
                return defaultValue;
            }
            Node value = tuple.getValueNode();
            if (value instanceof ScalarNode && Tag.BOOL.equals(value.getTag())) {
                String text = ((ScalarNode) value).getValue().toLowerCase(java.util.Locale.ROOT);
                return text.equals("true") || text.equals("yes") || text.equals("on");
            }
            problems.at(value, pathOf(key), "expected true or false but found " + YamlNodes.describe(value));
            return defaultValue;
        }

        int limit() {
            NodeTuple tuple = entries.get(PointcutKey.LIMIT);
            if (tuple == null) {
                return PointcutKey.DEFAULT_LIMIT;
            }
            Node value = tuple.getValueNode();
            if (value instanceof ScalarNode && Tag.INT.equals(value.getTag())) {
                try {
                    int limit = Integer.parseInt(((ScalarNode) value).getValue());
                    if (limit >= 1) {
                        return limit;
                    }
                } catch (NumberFormatException ignored) {
                    // reported below
                }
            }
            problems.at(value, pathOf(PointcutKey.LIMIT), "expected a whole number of at least 1 but found "
                    + YamlNodes.describe(value) + "; write e.g. limit: " + PointcutKey.DEFAULT_LIMIT);
            return PointcutKey.DEFAULT_LIMIT;
        }

        /** Every value path of the entry with where it is written, for the check tool's type check. */
        List<Pointcut.WrittenPath> writtenPaths() {
            List<Pointcut.WrittenPath> written = new ArrayList<>();
            for (Object[] reference : argumentReferences) {
                Node node = (Node) reference[0];
                written.add(new Pointcut.WrittenPath(problems.fileName() + ":" + (node.getStartMark().getLine() + 1)
                        + ":" + (node.getStartMark().getColumn() + 1) + " " + reference[1], (ValuePath) reference[2]));
            }
            return written;
        }

        /**
         * When every method pattern lists its argument types, an {@code argN} beyond the shortest list can never
         * be read: report it where it is written. (Without types, methods with too few arguments do not match.)
         */
        void checkArgumentsExist(List<MethodPattern> methods) {
            MethodPattern shortest = null;
            for (MethodPattern method : methods) {
                if (method.argumentTypes() == null) {
                    return;
                }
                if (shortest == null || method.argumentTypes().size() < shortest.argumentTypes().size()) {
                    shortest = method;
                }
            }
            if (shortest == null) {
                return;
            }
            int count = shortest.argumentTypes().size();
            String takes = count == 0 ? "takes no arguments; read this or return instead"
                    : "takes " + count + (count == 1 ? " argument; use arg0" : " arguments; use arg0 to arg" + (count - 1));
            for (Object[] reference : argumentReferences) {
                ValuePath valuePath = (ValuePath) reference[2];
                if (valuePath.argumentIndex() >= count) {
                    problems.at((Node) reference[0], (String) reference[1], "arg" + valuePath.argumentIndex()
                            + " names an argument that does not exist: '" + shortest.text() + "' " + takes);
                }
            }
        }
    }
}
