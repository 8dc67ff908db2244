package dev.xraybatch.agent.cli.timeline;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a reader needs from a row beyond its own document, worked out once the whole trace is assembled, for the
 * terminal and the page alike:
 * <ul>
 *   <li>a failed row's headline: its cause resolved when it is only an exception id (X-Ray lets an entity point at
 *       an exception recorded on another one), and for PySpark the Python exception and the line that raised it
 *       ({@code ValueError: bad record 7 at job.py:12}), found in the tracebacks Spark copies into the Java
 *       exceptions' messages, with the wrapper the driver saw beneath it;</li>
 *   <li>a {@code python udf} row under a task that failed with a Python exception: that is where it was raised;</li>
 *   <li>labels that say what a row is: a skipped stage, the stretch before an agent that a Spark plugin attached
 *       at run time (the JVM had been running; its start-up was not observed);</li>
 *   <li>a stage's Python UDF time, summed over its executors' rows.</li>
 * </ul>
 */
final class RowFacts {
    /** The name of the phase an attached agent could not see the start of; see JvmStartPhase. */
    static final String JVM_START = "JVM start-up";
    static final String BEFORE_ATTACH = "before the agent attached";
    private static final int MAX_CHAIN = 20;
    private static final String TRACEBACK = "Traceback (most recent call last):";
    private static final Pattern FILE_LINE = Pattern.compile("^\\s+File \"([^\"]*)\", line (\\d+)");
    /** The closing line of a traceback: "ValueError: bad record 7", "KeyboardInterrupt", "pkg.CustomError: x". */
    private static final Pattern EXCEPTION_LINE = Pattern.compile("^([A-Za-z_][\\w.]*)(: (.*))?$");

    private RowFacts() {
    }

    static void annotate(Collection<TimelineNode> nodes) {
        Map<String, Map<String, Object>> exceptionsById = exceptionsById(nodes);
        for (TimelineNode node : nodes) {
            node.label = label(node);
            if (node.fault || node.error || node.throttle || node.document.get("cause") != null) {
                node.failure = headline(node, exceptionsById);
            }
            node.python = pythonTime(node);
        }
        for (TimelineNode node : nodes) {
            String raised = pythonRaised(node, exceptionsById);
            if (raised == null) {
                continue;
            }
            for (TimelineNode child : node.children) {
                if (child.name.startsWith("python udf")) {
                    child.raisedHere = raised;
                }
            }
        }
    }

    private static String label(TimelineNode node) {
        Map<String, Object> spark = namespace(node.document, "spark");
        if (spark != null && Boolean.TRUE.equals(spark.get("skipped"))) {
            return node.name + " (skipped: its output was already there)";
        }
        Map<String, Object> agent = namespace(node.document, TraceAssembler.SUMMARY_NAMESPACE);
        if (JVM_START.equals(node.name) && agent != null
                && Boolean.TRUE.equals(agent.get("agent_attached_at_run_time"))) {
            return BEFORE_ATTACH;
        }
        return node.name;
    }

    /**
     * "python udf checked: 14.95 s in 2 tasks" from {@code metadata.spark.python} of an executor's stage row, or
     * summed over a stage's executor rows; null for other rows.
     */
    private static String pythonTime(TimelineNode node) {
        List<Map<String, Object>> parts = new ArrayList<>();
        Map<String, Object> own = python(node);
        if (own != null && own.get("total_ms") instanceof Number) {
            parts.add(own);
        } else if (own == null) {
            for (TimelineNode child : node.children) {
                Map<String, Object> python = python(child);
                if (python != null && python.get("total_ms") instanceof Number) {
                    parts.add(python);
                }
            }
        }
        if (parts.isEmpty()) {
            return null;
        }
        double totalMs = 0;
        long tasks = 0;
        Set<String> udfs = new LinkedHashSet<>();
        for (Map<String, Object> part : parts) {
            totalMs += ((Number) part.get("total_ms")).doubleValue();
            tasks += part.get("tasks") instanceof Number ? ((Number) part.get("tasks")).longValue() : 0;
            if (part.get("udfs") instanceof List) {
                for (Object udf : (List<?>) part.get("udfs")) {
                    udfs.add(String.valueOf(udf));
                }
            }
        }
        return "python udf" + (udfs.isEmpty() ? "" : " " + String.join(", ", udfs)) + ": "
                + Durations.format(totalMs / 1000) + (tasks > 0 ? " in " + String.format(Locale.ROOT, "%,d", tasks)
                + (tasks == 1 ? " task" : " tasks") : "");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> python(TimelineNode node) {
        Map<String, Object> spark = namespace(node.document, "spark");
        Object python = spark == null ? null : spark.get("python");
        return python instanceof Map ? (Map<String, Object>) python : null;
    }

    /**
     * The failure in one or two lines: the Python exception and its line when a traceback is anywhere in the
     * cause chain (or, for a root segment, in a failed row beneath it), then the first exception as the driver
     * saw it; else just the first exception. Null when there is no exception to show.
     */
    static List<String> headline(TimelineNode node, Map<String, Map<String, Object>> exceptionsById) {
        List<Map<String, Object>> chain = chain(node.document.get("cause"), exceptionsById);
        List<String> lines = new ArrayList<>();
        String python = pythonHeadline(chain);
        if (python == null && node.segment) {
            python = pythonBeneath(node, exceptionsById);
        }
        if (python == null && !chain.isEmpty()) {
            python = foreignHeadline(chain.get(0));
        }
        if (python != null) {
            lines.add(python);
        }
        if (!chain.isEmpty()) {
            String first = describe(chain.get(0));
            if (first != null && (python == null || !python.startsWith(first))) {
                lines.add(python == null ? first : "raised as " + first);
            }
        } else if (node.document.get("cause") instanceof String) {
            lines.add("exception " + node.document.get("cause") + " (not in this trace)");
        }
        return lines.isEmpty() ? null : lines;
    }

    /** The exceptions a {@code cause} leads to: its own list, or the one an id names, then each {@code cause} link. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> chain(Object cause, Map<String, Map<String, Object>> exceptionsById) {
        List<Map<String, Object>> chain = new ArrayList<>();
        Map<String, Object> current = null;
        if (cause instanceof String) {
            current = exceptionsById.get(cause);
        } else if (cause instanceof Map) {
            Object exceptions = ((Map<String, Object>) cause).get("exceptions");
            if (exceptions instanceof List && !((List<Object>) exceptions).isEmpty()
                    && ((List<Object>) exceptions).get(0) instanceof Map) {
                current = (Map<String, Object>) ((List<Object>) exceptions).get(0);
            }
        }
        while (current != null && chain.size() < MAX_CHAIN && !containsSame(chain, current)) {
            chain.add(current);
            Object next = current.get("cause");
            current = next instanceof String ? exceptionsById.get(next) : null;
        }
        return chain;
    }

    private static boolean containsSame(List<Map<String, Object>> chain, Map<String, Object> exception) {
        for (Map<String, Object> seen : chain) {
            if (seen == exception) {
                return true;
            }
        }
        return false;
    }

    private static String pythonHeadline(List<Map<String, Object>> chain) {
        for (Map<String, Object> exception : chain) {
            Object message = exception.get("message");
            String headline = message instanceof String ? fromTraceback((String) message) : null;
            if (headline != null) {
                return headline;
            }
        }
        return null;
    }

    /** The first traceback in a failed row beneath a root segment, breadth first (the driver's side first). */
    private static String pythonBeneath(TimelineNode root, Map<String, Map<String, Object>> exceptionsById) {
        Deque<TimelineNode> pending = new ArrayDeque<>(root.children);
        while (!pending.isEmpty()) {
            TimelineNode node = pending.poll();
            if (node.document.get("cause") != null) {
                String headline = pythonHeadline(chain(node.document.get("cause"), exceptionsById));
                if (headline != null) {
                    return headline;
                }
            }
            pending.addAll(node.children);
        }
        return null;
    }

    /**
     * "ValueError: bad record 7 at job.py:12" from the last complete traceback in {@code text}: its closing line
     * and the last {@code File "...", line N} above it. Null when there is none (a message cut before the end).
     */
    static String fromTraceback(String text) {
        String found = null;
        for (int at = text.indexOf(TRACEBACK); at >= 0; at = text.indexOf(TRACEBACK, at + 1)) {
            String headline = oneTraceback(text.substring(at + TRACEBACK.length()));
            if (headline != null) {
                found = headline;
            }
        }
        return found;
    }

    private static String oneTraceback(String text) {
        String[] lines = text.split("\r?\n");
        String file = null;
        String line = null;
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i];
            Matcher frame = FILE_LINE.matcher(l);
            if (frame.find()) {
                file = frame.group(1);
                line = frame.group(2);
                continue;
            }
            if (l.isEmpty() || Character.isWhitespace(l.charAt(0))) {
                continue;
            }
            Matcher exception = EXCEPTION_LINE.matcher(l.trim());
            if (!exception.matches() || file == null) {
                return null;
            }
            return l.trim() + " at " + baseName(file) + ":" + line;
        }
        return null;
    }

    /** A Python exception recorded as itself (a driver program's own failure): its type, message and top frame. */
    @SuppressWarnings("unchecked")
    private static String foreignHeadline(Map<String, Object> exception) {
        Object stack = exception.get("stack");
        if (!(stack instanceof List) || ((List<Object>) stack).isEmpty()
                || !(((List<Object>) stack).get(0) instanceof Map)) {
            return null;
        }
        Map<String, Object> top = (Map<String, Object>) ((List<Object>) stack).get(0);
        Object path = top.get("path");
        if (!(path instanceof String) || !((String) path).endsWith(".py")) {
            return null;
        }
        String first = describe(exception);
        return first == null ? null : first + " at " + baseName((String) path) + ":" + top.get("line");
    }

    /** "Type: first line of the message" (a PySpark message often starts with an empty line). */
    static String describe(Map<String, Object> exception) {
        Object type = exception.get("type");
        Object message = exception.get("message");
        String text = message == null ? null : firstLine(String.valueOf(message));
        if (TRACEBACK.equals(text)) {
            text = null; // the traceback itself is the headline above
        }
        if (type == null && text == null) {
            return null;
        }
        return type == null ? text : text == null || text.isEmpty() ? String.valueOf(type) : type + ": " + text;
    }

    private static String firstLine(String message) {
        for (String line : message.split("\r?\n")) {
            if (!line.trim().isEmpty()) {
                return line.trim();
            }
        }
        return "";
    }

    private static String baseName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }

    /** A task that failed with a Python exception: the headline its {@code python udf} rows get. */
    private static String pythonRaised(TimelineNode node, Map<String, Map<String, Object>> exceptionsById) {
        if (!node.fault && !node.error) {
            return null;
        }
        // The Python worker's exception, first or wrapped (a write wraps it in TASK_WRITE_FAILED).
        for (Map<String, Object> exception : chain(node.document.get("cause"), exceptionsById)) {
            if (String.valueOf(exception.get("type")).endsWith(".PythonException")
                    && exception.get("message") instanceof String) {
                return fromTraceback((String) exception.get("message"));
            }
        }
        return null;
    }

    /** Every exception recorded in the trace, by its id, for causes that only name one. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> exceptionsById(Collection<TimelineNode> nodes) {
        Map<String, Map<String, Object>> byId = new HashMap<>();
        for (TimelineNode node : nodes) {
            Object cause = node.document.get("cause");
            Object exceptions = cause instanceof Map ? ((Map<String, Object>) cause).get("exceptions") : null;
            if (!(exceptions instanceof List)) {
                continue;
            }
            for (Object exception : (List<Object>) exceptions) {
                if (exception instanceof Map && ((Map<String, Object>) exception).get("id") instanceof String) {
                    byId.putIfAbsent((String) ((Map<String, Object>) exception).get("id"),
                            (Map<String, Object>) exception);
                }
            }
        }
        return byId;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> namespace(Map<String, Object> document, String name) {
        Object metadata = document.get("metadata");
        Object space = metadata instanceof Map ? ((Map<String, Object>) metadata).get(name) : null;
        return space instanceof Map ? (Map<String, Object>) space : null;
    }
}
