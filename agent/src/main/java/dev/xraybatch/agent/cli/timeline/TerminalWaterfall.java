package dev.xraybatch.agent.cli.timeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The trace as text, laid out like the X-Ray console's timeline: one row per segment or subsegment with the tree
 * on the left, offset from the trace start, duration, status, and a bar scaled to the terminal width. Beneath a
 * row, dimmed lines carry what a reader needs without opening the page: summary statistics, the first
 * exception, key annotations, a missing parent.
 */
final class TerminalWaterfall {
    /** Rows printed per trace unless {@code --all}: a 10,000-subsegment trace should not flood the terminal. */
    static final int DEFAULT_MAX_ROWS = 400;
    private static final int MIN_WIDTH = 60;
    private static final int OFFSET_WIDTH = 9;
    private static final int DURATION_WIDTH = 9;
    private static final int STATUS_WIDTH = 8;
    private static final int ANNOTATIONS_SHOWN = 4;
    private static final int ANNOTATION_VALUE_CHARS = 40;
    /** The bar keeps at least this many columns when long names widen the name column. */
    private static final int MIN_BAR_WIDTH = 20;

    private static final String RESET = "\u001b[0m";
    private static final String BOLD = "\u001b[1m";
    private static final String DIM = "\u001b[2m";
    private static final String RED = "\u001b[31m";
    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";
    private static final String BLUE = "\u001b[34m";
    private static final String MAGENTA = "\u001b[35m";
    private static final String CYAN = "\u001b[36m";

    private final int width;
    private final boolean color;
    private final Glyphs glyphs;
    private final int maxRows;

    /**
     * @param width    columns of the terminal
     * @param color    ANSI colours
     * @param unicode  box-drawing and block characters (else plain ASCII, for a terminal that is not UTF-8)
     * @param maxRows  rows per trace before the rest is cut with a note; {@code Integer.MAX_VALUE} for all
     */
    TerminalWaterfall(int width, boolean color, boolean unicode, int maxRows) {
        this.width = Math.max(MIN_WIDTH, width);
        this.color = color;
        this.glyphs = unicode ? Glyphs.UNICODE : Glyphs.ASCII;
        this.maxRows = maxRows;
    }

    String render(Trace trace) {
        StringBuilder out = new StringBuilder();
        List<Trace.Row> rows = trace.rows();
        int shown = Math.min(rows.size(), maxRows);
        int fixed = OFFSET_WIDTH + DURATION_WIDTH + STATUS_WIDTH + 4;
        // As wide as the longest name needs, from 38% of the width up to what leaves the bar its minimum.
        int nameWidth = Math.max(Math.max(24, width * 38 / 100),
                Math.min(longestName(rows, shown), width - fixed - MIN_BAR_WIDTH));
        int barWidth = width - nameWidth - fixed;
        double total = trace.duration();

        String title = "Trace " + visible(trace.traceId) + "   started " + Durations.instant(trace.start) + "   "
                + Durations.format(total) + "   " + count(trace.segmentCount, "segment") + ", "
                + count(trace.subsegmentCount, "subsegment");
        out.append(paint(BOLD, title)).append('\n');
        String scaleEnd = Durations.format(total);
        String scale = "0" + spaces(Math.max(1, barWidth - 1 - scaleEnd.length())) + scaleEnd;
        out.append(paint(DIM, pad("", nameWidth) + ' ' + padLeft("offset", OFFSET_WIDTH) + ' '
                + padLeft("duration", DURATION_WIDTH) + ' ' + pad("status", STATUS_WIDTH) + ' ' + scale)).append('\n');

        // lastAtDepth[d]: whether the latest row seen at depth d was the last of its siblings (no guide below it).
        List<Boolean> lastAtDepth = new ArrayList<>();
        for (int r = 0; r < shown; r++) {
            Trace.Row row = rows.get(r);
            while (lastAtDepth.size() <= row.depth) {
                lastAtDepth.add(Boolean.TRUE);
            }
            lastAtDepth.set(row.depth, row.lastSibling);
            String guide = guide(lastAtDepth, row.depth, nameWidth / 2);
            String childGuide = guide(lastAtDepth, row.depth + 1, nameWidth / 2);
            renderRow(out, trace, row.node, row.depth == 0 ? "" : guide + branch(row.lastSibling), nameWidth,
                    barWidth, total);
            for (String detail : details(row.node)) {
                out.append(paint(DIM, fit(childGuide + (row.node.children.isEmpty() ? "   " : glyphs.vertical + "  ")
                        + detail, width))).append('\n');
            }
        }
        if (shown < rows.size()) {
            out.append(paint(DIM, glyphs.ellipsis + " " + String.format(Locale.ROOT, "%,d", rows.size() - shown)
                    + " more rows not shown: --all prints every row, --html out.html writes a page to explore them"))
                    .append('\n');
        }
        return out.toString();
    }

    /** Columns the longest shown row's tree, marks and label take (a guess on the generous side). */
    private static int longestName(List<Trace.Row> rows, int shown) {
        int longest = 0;
        for (int r = 0; r < shown; r++) {
            TimelineNode node = rows.get(r).node;
            int marks = (node.orphan() ? 2 : 0) + (node.isSummary ? 2 : 0) + (node.summary != null ? 10 : 0);
            String operation = node.operation();
            longest = Math.max(longest, rows.get(r).depth * 3 + marks + visible(node.label).length()
                    + (operation == null ? 0 : operation.length() + 1));
        }
        return longest;
    }

    private void renderRow(StringBuilder out, Trace trace, TimelineNode node, String tree, int nameWidth,
            int barWidth, double total) {
        String marks = (node.orphan() ? glyphs.orphan + " " : "") + (node.isSummary ? glyphs.summary + " " : "");
        String label = visible(node.operation() == null ? node.label : node.label + " " + node.operation());
        if (node.summary != null && node.summary.get("count") instanceof Number) {
            label += " " + glyphs.times + String.format(Locale.ROOT, "%,d", ((Number) node.summary.get("count")).longValue());
        }
        String name = fit(tree + marks + label, nameWidth);
        String offset = "+" + Durations.format(node.start - trace.start);
        double end = node.end == null ? trace.end : node.end;
        String duration = node.end == null ? glyphs.ellipsis + Durations.format(end - node.start)
                : Durations.format(end - node.start);
        String status = status(node);

        out.append(node.segment ? paint(BOLD, pad(name, nameWidth)) : pad(name, nameWidth)).append(' ')
                .append(paint(DIM, padLeft(offset, OFFSET_WIDTH))).append(' ')
                .append(padLeft(duration, DURATION_WIDTH)).append(' ')
                .append(paint(statusColor(node), status)).append(spaces(STATUS_WIDTH - status.length() + 1))
                .append(bar(node.start - trace.start, end - trace.start, total, barWidth, node))
                .append('\n');
    }

    private String bar(double from, double to, double total, int barWidth, TimelineNode node) {
        int first = total <= 0 ? 0 : (int) Math.floor(from / total * barWidth);
        int last = total <= 0 ? barWidth : (int) Math.ceil(to / total * barWidth);
        first = Math.min(Math.max(first, 0), barWidth - 1);
        last = Math.min(Math.max(last, first + 1), barWidth);
        StringBuilder bar = new StringBuilder();
        String fill = node.end == null ? glyphs.runningBar : glyphs.bar;
        for (int i = first; i < last; i++) {
            bar.append(fill);
        }
        return spaces(first) + paint(node.end == null ? CYAN : barColor(node), bar.toString());
    }

    private List<String> details(TimelineNode node) {
        List<String> lines = new ArrayList<>();
        if (node.placeholder) {
            lines.add("the root segment of this trace was not in the input; its subsegments are shown here");
        }
        if (node.orphan()) {
            lines.add("parent " + visible(node.missingParentId) + " not received; shown under the root");
        }
        if (node.summary != null) {
            lines.add("summary: " + visible(summaryText(node.summary)));
        }
        if (node.failure != null) {
            for (int i = 0; i < node.failure.size(); i++) {
                lines.add((i == 0 ? glyphs.cross + " " : "  ") + visible(oneLine(node.failure.get(i))));
            }
        }
        if (node.raisedHere != null) {
            lines.add(glyphs.cross + " raised here: " + visible(oneLine(node.raisedHere)));
        }
        if (node.python != null) {
            lines.add(visible(node.python));
        }
        Map<String, Object> annotations = node.annotations();
        if (!annotations.isEmpty()) {
            StringBuilder text = new StringBuilder();
            int n = 0;
            for (Map.Entry<String, Object> annotation : annotations.entrySet()) {
                if (n++ == ANNOTATIONS_SHOWN) {
                    text.append("  (+").append(annotations.size() - ANNOTATIONS_SHOWN).append(" more)");
                    break;
                }
                text.append(n > 1 ? "  " : "").append(visible(annotation.getKey())).append('=')
                        .append(visible(truncate(oneLine(String.valueOf(annotation.getValue())),
                                ANNOTATION_VALUE_CHARS)));
            }
            lines.add(text.toString());
        }
        return lines;
    }

    /**
     * "1,204 calls, 3 errors, total 2.95 s, avg 2.45 ms, min 0.80 ms, max 140 ms" from the tracer's
     * {@code xray_batch.summary}; other scalar fields follow as key=value, nested ones (the slowest call) are left
     * to the page.
     */
    static String summaryText(Map<String, Object> summary) {
        List<String> parts = new ArrayList<>();
        Number count = number(summary.get("count"));
        if (count != null) {
            parts.add(String.format(Locale.ROOT, "%,d", count.longValue()) + (count.longValue() == 1 ? " call" : " calls"));
        }
        for (String outcome : new String[] {"errors", "throttles", "faults"}) {
            Number n = number(summary.get(outcome));
            if (n != null && n.doubleValue() > 0) {
                parts.add(String.format(Locale.ROOT, "%,d", n.longValue()) + " "
                        + (n.longValue() == 1 ? outcome.substring(0, outcome.length() - 1) : outcome));
            }
        }
        Number total = number(summary.get("total_ms"));
        if (total != null) {
            parts.add("total " + Durations.format(total.doubleValue() / 1000));
            if (count != null && count.longValue() > 0) {
                parts.add("avg " + Durations.format(total.doubleValue() / 1000 / count.longValue()));
            }
        }
        // Sizes only where the calls moved bytes that way: an upload's summary says what it sent, not "bytes=0".
        for (String[] size : new String[][] {{"bytes_sent", "sent "}, {"bytes", "received "}}) {
            Number n = number(summary.get(size[0]));
            if (n != null && n.longValue() > 0) {
                parts.add(size[1] + byteSize(n.longValue()));
            }
        }
        for (Map.Entry<String, Object> stat : summary.entrySet()) {
            String key = stat.getKey();
            Object value = stat.getValue();
            if (KNOWN_SUMMARY_FIELDS.contains(key) || value instanceof Map || value instanceof List) {
                continue;
            }
            if (key.endsWith("_ms") && value instanceof Number) {
                parts.add(key.substring(0, key.length() - 3) + " " + Durations.format(((Number) value).doubleValue() / 1000));
            } else {
                parts.add(key + "=" + truncate(oneLine(String.valueOf(value)), ANNOTATION_VALUE_CHARS));
            }
        }
        return String.join(", ", parts);
    }

    private static final List<String> KNOWN_SUMMARY_FIELDS =
            Arrays.asList("count", "errors", "throttles", "faults", "total_ms", "limit", "bytes", "bytes_sent");

    /** 512 B, 3.4 KB, 12.0 MB, 1.2 GB (decimal units, as S3 and the console count). */
    static String byteSize(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    private static Number number(Object value) {
        return value instanceof Number ? (Number) value : null;
    }

    private static String status(TimelineNode node) {
        if (node.fault) {
            return "FAULT";
        }
        if (node.raisedHere != null) {
            return "RAISED";
        }
        if (node.throttle) {
            return "THROTTLE";
        }
        if (node.error) {
            return "ERROR";
        }
        return node.end == null ? "RUNNING" : "";
    }

    private static String statusColor(TimelineNode node) {
        return node.end == null && !node.fault && !node.throttle && !node.error ? CYAN : barColor(node);
    }

    private static String barColor(TimelineNode node) {
        return node.fault || node.raisedHere != null ? RED : node.throttle ? MAGENTA : node.error ? YELLOW
                : node.isSummary ? BLUE : GREEN;
    }

    private String guide(List<Boolean> lastAtDepth, int depth, int maxChars) {
        StringBuilder guide = new StringBuilder();
        for (int d = 1; d < depth; d++) {
            if (guide.length() >= maxChars) {
                // Very deep trees: the name column is narrow, the depth still shows by its number.
                return guide.append("[").append(depth).append("] ").toString();
            }
            guide.append(d < lastAtDepth.size() && lastAtDepth.get(d) ? "   " : glyphs.vertical + "  ");
        }
        return guide.toString();
    }

    private String branch(boolean last) {
        return last ? glyphs.lastBranch : glyphs.branch;
    }

    private String paint(String code, String text) {
        return color && !text.isEmpty() ? code + text + RESET : text;
    }

    private String fit(String text, int columns) {
        return text.length() <= columns ? text : text.substring(0, columns - 1) + glyphs.ellipsis;
    }

    private static String truncate(String text, int chars) {
        return text.length() <= chars ? text : text.substring(0, chars - 3) + "...";
    }

    /**
     * Text from the trace as the terminal should show it, never act on it: C0 and C1 controls, DEL and bidi
     * controls become escapes ({@code \x1b} for ESC, {@code \\u202e} for U+202E), so a trace holding ESC, BEL,
     * CR or BS cannot retitle the terminal, clear it or overwrite lines, and U+202E cannot reverse what follows.
     */
    static String visible(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = dev.xraybatch.agent.trace.Names.isControl(c);
            if (control && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (out == null) {
                continue;
            }
            if (!control) {
                out.append(c);
            } else if (c < 0x100) {
                out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return out == null ? text : out.toString();
    }

    private static String oneLine(String text) {
        return text.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
    }

    private static String count(int n, String noun) {
        return String.format(Locale.ROOT, "%,d", n) + " " + noun + (n == 1 ? "" : "s");
    }

    private static String pad(String text, int columns) {
        return text.length() >= columns ? text : text + spaces(columns - text.length());
    }

    private static String padLeft(String text, int columns) {
        return text.length() >= columns ? text : spaces(columns - text.length()) + text;
    }

    private static String spaces(int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(' ');
        }
        return s.toString();
    }

    /** The characters of the drawing, with a plain-ASCII set for terminals that cannot show the others. */
    private enum Glyphs {
        UNICODE("├─ ", "└─ ", "│", "█", "░", "…", "Σ", "⚠", "×", "✗"),
        ASCII("|- ", "`- ", "|", "#", "~", "~", "S", "!", "x", "x");

        final String branch;
        final String lastBranch;
        final String vertical;
        final String bar;
        final String runningBar;
        final String ellipsis;
        final String summary;
        final String orphan;
        final String times;
        final String cross;

        Glyphs(String branch, String lastBranch, String vertical, String bar, String runningBar, String ellipsis,
                String summary, String orphan, String times, String cross) {
            this.branch = branch;
            this.lastBranch = lastBranch;
            this.vertical = vertical;
            this.bar = bar;
            this.runningBar = runningBar;
            this.ellipsis = ellipsis;
            this.summary = summary;
            this.orphan = orphan;
            this.times = times;
            this.cross = cross;
        }
    }
}
