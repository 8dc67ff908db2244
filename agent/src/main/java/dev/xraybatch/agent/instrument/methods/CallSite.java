package dev.xraybatch.agent.instrument.methods;

import dev.xraybatch.agent.config.pointcut.NameTemplate;
import dev.xraybatch.agent.config.pointcut.Pointcut;
import dev.xraybatch.agent.config.pointcut.ValuePath;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One instrumented method of one pointcut, prepared at instrumentation time so a call does as little as
 * possible: the name is final text unless it reads values, and the captures are split into those read when the
 * method starts (arguments, {@code this}) and those read when it returns.
 */
final class CallSite {
    /** A value to capture: annotation or metadata key and where the value comes from. */
    static final class Capture {
        final String key;
        final ValuePath path;
        final boolean annotation;

        Capture(String key, ValuePath path, boolean annotation) {
            this.key = key;
            this.path = path;
            this.annotation = annotation;
        }
    }

    final Pointcut pointcut;
    final String className;
    final String methodName;
    /** The subsegment name when it is the same for every call, else null. */
    final String fixedName;
    /** The name's parts with class, package and method already written in, when {@link #fixedName} is null. */
    final List<NameTemplate.Part> nameParts;
    /**
     * What the pointcut's limit counts: the name when fixed, else the template with class and method written in
     * ({@code load {arg0}}), so that names built from data share one limit and one summary.
     */
    final String limitKey;
    final List<Capture> atEntry;
    final List<Capture> atExit;
    final int limit;
    final boolean recordExceptions;

    CallSite(Pointcut pointcut, String className, String methodName) {
        this.pointcut = pointcut;
        this.className = className;
        this.methodName = methodName;
        this.limit = pointcut.limit();
        this.recordExceptions = pointcut.recordExceptions();
        StringBuilder fixed = new StringBuilder();
        StringBuilder key = new StringBuilder();
        List<NameTemplate.Part> parts = new ArrayList<>();
        for (NameTemplate.Part part : pointcut.name().parts()) {
            String text = fixedText(part);
            if (text != null) {
                fixed.append(text);
                key.append(text);
            } else {
                parts.add(part);
                key.append('{').append(part.path().text()).append('}');
            }
        }
        this.limitKey = key.toString();
        if (parts.isEmpty()) {
            this.fixedName = fixed.toString();
            this.nameParts = Collections.emptyList();
        } else {
            this.fixedName = null;
            this.nameParts = Collections.unmodifiableList(new ArrayList<>(pointcut.name().parts()));
        }
        List<Capture> entry = new ArrayList<>();
        List<Capture> exit = new ArrayList<>();
        split(pointcut.annotations(), true, entry, exit);
        split(pointcut.metadata(), false, entry, exit);
        this.atEntry = Collections.unmodifiableList(entry);
        this.atExit = Collections.unmodifiableList(exit);
    }

    /** The text of a part known at instrumentation time, or null for a value read per call. */
    String fixedText(NameTemplate.Part part) {
        switch (part.kind()) {
            case TEXT:
                return part.text();
            case CLASS:
                return simpleName(className);
            case PACKAGE:
                int dot = className.lastIndexOf('.');
                return dot < 0 ? "" : className.substring(0, dot);
            case METHOD:
                return methodName;
            default:
                return null;
        }
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static void split(Map<String, ValuePath> captures, boolean annotation, List<Capture> entry,
                              List<Capture> exit) {
        for (Map.Entry<String, ValuePath> capture : captures.entrySet()) {
            Capture c = new Capture(capture.getKey(), capture.getValue(), annotation);
            (capture.getValue().root() == ValuePath.Root.RETURN ? exit : entry).add(c);
        }
    }
}
