package dev.xraybatch.agent.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An entity's {@code cause}: either the exceptions themselves (the thrown one and its nested causes, each with an
 * id, linked by {@code cause}), or, when the same throwable was already recorded deeper in the trace, just that
 * exception's id.
 */
final class CauseRecord {
    static final int MAX_FRAMES = 50;
    private static final int MAX_CHAIN = 10;
    private static final String WORKING_DIRECTORY = System.getProperty("user.dir", "");

    /** The id of an exception recorded elsewhere; when set, {@link #exceptions} is empty. */
    final String referencedId;
    final List<Map<String, Object>> exceptions;

    private CauseRecord(String referencedId, List<Map<String, Object>> exceptions) {
        this.referencedId = referencedId;
        this.exceptions = exceptions;
    }

    static CauseRecord of(Throwable thrown, boolean remote, ExceptionIds ids) {
        String known = ids.idOf(thrown);
        if (known != null) {
            return new CauseRecord(known, Collections.<Map<String, Object>>emptyList());
        }
        List<Map<String, Object>> list = new ArrayList<>(2);
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<Throwable, Boolean>());
        Throwable t = thrown;
        Map<String, Object> previous = null;
        while (t != null && seen.add(t) && list.size() < MAX_CHAIN) {
            String existing = ids.idOf(t);
            if (existing != null) {
                // Recorded already elsewhere: link to it instead of repeating it.
                if (previous != null) {
                    previous.put("cause", existing);
                }
                break;
            }
            String id = Ids.entityIdHex(Ids.newEntityId());
            ids.remember(t, id);
            if (previous != null) {
                previous.put("cause", id);
            }
            Map<String, Object> e = describe(t, id, remote && t == thrown);
            list.add(e);
            previous = e;
            t = t.getCause();
        }
        return new CauseRecord(null, list);
    }

    private static Map<String, Object> describe(Throwable t, String id, boolean remote) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", id);
        String message = safeMessage(t);
        if (message != null) {
            e.put("message", Names.truncate(Names.cleanText(message, true), 1000));
        }
        if (t instanceof ForeignException) {
            describeForeign((ForeignException) t, e);
            return e;
        }
        e.put("type", t.getClass().getName());
        if (remote) {
            e.put("remote", Boolean.TRUE);
        }
        StackTraceElement[] frames = t.getStackTrace();
        int kept = Math.min(frames.length, MAX_FRAMES);
        List<Map<String, Object>> stack = new ArrayList<>(kept);
        for (int i = 0; i < kept; i++) {
            StackTraceElement f = frames[i];
            Map<String, Object> frame = new LinkedHashMap<>();
            frame.put("path", f.getFileName() == null ? f.getClassName() : f.getFileName());
            frame.put("line", Math.max(0, f.getLineNumber()));
            frame.put("label", f.getClassName() + "." + f.getMethodName());
            stack.add(frame);
        }
        e.put("stack", stack);
        if (frames.length > kept) {
            e.put("truncated", frames.length - kept);
        }
        return e;
    }

    /** A foreign exception keeps its own type and frames: a Python traceback reads as Python. */
    private static void describeForeign(ForeignException t, Map<String, Object> e) {
        e.put("type", t.typeName());
        List<ForeignException.Frame> frames = t.frames();
        int kept = Math.min(frames.size(), MAX_FRAMES);
        List<Map<String, Object>> stack = new ArrayList<>(kept);
        for (ForeignException.Frame f : frames.subList(0, kept)) {
            Map<String, Object> frame = new LinkedHashMap<>();
            frame.put("path", f.path);
            frame.put("line", Math.max(0, f.line));
            frame.put("label", f.label);
            stack.add(frame);
        }
        e.put("stack", stack);
        if (frames.size() > kept) {
            e.put("truncated", frames.size() - kept);
        }
    }

    /** getMessage() is the application's code: it may throw, and must not take the agent with it. */
    private static String safeMessage(Throwable t) {
        try {
            return t.getMessage();
        } catch (Throwable broken) {
            return null;
        }
    }

    Map<String, Object> describeFirst() {
        Map<String, Object> d = new LinkedHashMap<>();
        if (!exceptions.isEmpty()) {
            Map<String, Object> first = exceptions.get(0);
            d.put("type", first.get("type"));
            if (first.containsKey("message")) {
                d.put("message", first.get("message"));
            }
        } else {
            d.put("id", referencedId);
        }
        return d;
    }

    Map<String, Object> toJson() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("working_directory", WORKING_DIRECTORY);
        c.put("exceptions", exceptions);
        return c;
    }

    /** Which throwables this trace has recorded already, by identity; weak so that it pins nothing. */
    static final class ExceptionIds {
        private final Map<Throwable, String> ids = new java.util.WeakHashMap<>();

        synchronized String idOf(Throwable t) {
            return ids.get(t);
        }

        synchronized void remember(Throwable t, String id) {
            ids.put(t, id);
        }
    }
}
