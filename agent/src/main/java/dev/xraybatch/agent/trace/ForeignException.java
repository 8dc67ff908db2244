package dev.xraybatch.agent.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An exception raised in another language of the job (the Python program of a PySpark driver), told to the agent
 * as text: its own type name and frames, which a {@code cause} shows as they are instead of as a Java class.
 * Never thrown; only recorded.
 */
public final class ForeignException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** One frame of the foreign stack, innermost first. */
    public static final class Frame {
        final String path;
        final int line;
        final String label;

        public Frame(String path, int line, String label) {
            this.path = path;
            this.line = line;
            this.label = label;
        }
    }

    private final String typeName;
    private final List<Frame> frames;

    public ForeignException(String typeName, String message, List<Frame> frames, Throwable cause) {
        super(message, cause, false, false);
        this.typeName = typeName == null || typeName.isEmpty() ? "Error" : typeName;
        this.frames = frames == null ? Collections.<Frame>emptyList() : new ArrayList<>(frames);
    }

    /**
     * Frames written as lines {@code file:line:function}, innermost first (the Python module's format). A line
     * that does not parse is kept as a label alone.
     */
    public static List<Frame> parseFrames(String text) {
        List<Frame> frames = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return frames;
        }
        for (String line : text.split("\n")) {
            if (line.trim().isEmpty()) {
                continue;
            }
            // The file may hold ':' (a zip path, a Windows drive): the last two separators delimit line and name.
            int last = line.lastIndexOf(':');
            int middle = last > 0 ? line.lastIndexOf(':', last - 1) : -1;
            int number = middle > 0 ? parseLine(line.substring(middle + 1, last)) : -1;
            if (number < 0) {
                frames.add(new Frame(line, 0, line));
            } else {
                frames.add(new Frame(line.substring(0, middle), number, line.substring(last + 1)));
            }
        }
        return frames;
    }

    private static int parseLine(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public String typeName() {
        return typeName;
    }

    List<Frame> frames() {
        return frames;
    }
}
