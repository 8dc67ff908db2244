package dev.xraybatch.agent.config.pointcut;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One valid pointcut of the file: which methods of which classes become subsegments, and what those say.
 * Immutable; built by {@link PointcutParser}.
 */
public final class Pointcut {
    /** A value path as written in the file, with where: {@code xray-batch.yaml:7:19 pointcuts[0].name}. */
    public static final class WrittenPath {
        private final String location;
        private final ValuePath path;

        WrittenPath(String location, ValuePath path) {
            this.location = location;
            this.path = path;
        }

        public String location() {
            return location;
        }

        public ValuePath path() {
            return path;
        }
    }

    private final int index;
    private final String location;
    private final List<ClassPattern> classes;
    private final List<ClassPattern> excludes;
    private final List<String> subtypesOf;
    private final List<String> classesAnnotatedWith;
    private final List<MethodPattern> methods;
    private final List<String> methodsAnnotatedWith;
    private final Set<Visibility> visibilities;
    private final NameTemplate name;
    private final Map<String, ValuePath> annotations;
    private final Map<String, ValuePath> metadata;
    private final boolean recordExceptions;
    private final int limit;
    private final List<WrittenPath> writtenPaths;

    Pointcut(int index, String location, List<ClassPattern> classes, List<ClassPattern> excludes,
             List<String> subtypesOf, List<String> classesAnnotatedWith, List<MethodPattern> methods,
             List<String> methodsAnnotatedWith, Set<Visibility> visibilities, NameTemplate name,
             Map<String, ValuePath> annotations, Map<String, ValuePath> metadata, boolean recordExceptions,
             int limit, List<WrittenPath> writtenPaths) {
        this.index = index;
        this.location = location;
        this.classes = Collections.unmodifiableList(classes);
        this.excludes = Collections.unmodifiableList(excludes);
        this.subtypesOf = Collections.unmodifiableList(subtypesOf);
        this.classesAnnotatedWith = Collections.unmodifiableList(classesAnnotatedWith);
        this.methods = Collections.unmodifiableList(methods);
        this.methodsAnnotatedWith = Collections.unmodifiableList(methodsAnnotatedWith);
        this.visibilities = visibilities.isEmpty() ? EnumSet.allOf(Visibility.class) : EnumSet.copyOf(visibilities);
        this.name = name;
        this.annotations = Collections.unmodifiableMap(annotations);
        this.metadata = Collections.unmodifiableMap(metadata);
        this.recordExceptions = recordExceptions;
        this.limit = limit;
        this.writtenPaths = Collections.unmodifiableList(writtenPaths);
    }

    /** The entry's position in the file's {@code pointcuts} list, from 0. */
    public int index() {
        return index;
    }

    /** Where the entry is, e.g. {@code xray-batch.yaml:12:5 pointcuts[2]}: for messages and the check tool. */
    public String location() {
        return location;
    }

    /** True when the class name passes the name patterns (the cheap check, before any class-file parsing). */
    public boolean matchesClassName(String className) {
        if (ClassPattern.isForbidden(className)) {
            return false;
        }
        boolean included = false;
        for (ClassPattern pattern : classes) {
            if (pattern.matches(className)) {
                included = true;
                break;
            }
        }
        if (!included) {
            return false;
        }
        for (ClassPattern exclude : excludes) {
            if (exclude.matches(className)) {
                return false;
            }
        }
        return true;
    }

    public List<ClassPattern> classes() {
        return classes;
    }

    public List<ClassPattern> excludes() {
        return excludes;
    }

    /** Super types (exact names) of which the class must extend or implement one; empty: no such condition. */
    public List<String> subtypesOf() {
        return subtypesOf;
    }

    /** Annotations (exact names) of which the class must carry one; empty: no such condition. */
    public List<String> classesAnnotatedWith() {
        return classesAnnotatedWith;
    }

    /** Method patterns of which one must match; never empty ({@code *} by default). */
    public List<MethodPattern> methods() {
        return methods;
    }

    public List<String> methodsAnnotatedWith() {
        return methodsAnnotatedWith;
    }

    public Set<Visibility> visibilities() {
        return Collections.unmodifiableSet(visibilities);
    }

    public NameTemplate name() {
        return name;
    }

    /** Annotation key to the path of its value, in file order. */
    public Map<String, ValuePath> annotations() {
        return annotations;
    }

    public Map<String, ValuePath> metadata() {
        return metadata;
    }

    public boolean recordExceptions() {
        return recordExceptions;
    }

    public int limit() {
        return limit;
    }

    /** Every value path of the name, annotations and metadata, in file order, with where it is written. */
    public List<WrittenPath> writtenPaths() {
        return writtenPaths;
    }

    /** True when anything reads the arguments: only then does the advice pass them (boxing costs). */
    public boolean capturesArguments() {
        return minimumArguments() > 0;
    }

    /** True when anything reads the return value: only then does the advice pass it. */
    public boolean capturesReturn() {
        return usesRoot(ValuePath.Root.RETURN);
    }

    /** True when anything reads {@code this}. */
    public boolean capturesThis() {
        return usesRoot(ValuePath.Root.THIS);
    }

    /** The number of arguments a method needs for every {@code argN} this pointcut reads to exist. */
    public int minimumArguments() {
        int minimum = 0;
        for (ValuePath path : paths()) {
            minimum = Math.max(minimum, path.argumentIndex() + 1);
        }
        return minimum;
    }

    private boolean usesRoot(ValuePath.Root root) {
        for (ValuePath path : paths()) {
            if (path.root() == root) {
                return true;
            }
        }
        return false;
    }

    private List<ValuePath> paths() {
        List<ValuePath> paths = new ArrayList<>(annotations.values());
        paths.addAll(metadata.values());
        for (NameTemplate.Part part : name.parts()) {
            if (part.kind() == NameTemplate.Part.Kind.VALUE) {
                paths.add(part.path());
            }
        }
        return paths;
    }

    @Override
    public String toString() {
        return location;
    }
}
