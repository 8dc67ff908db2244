package dev.xraybatch.agent.cli.timeline;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trace as one self-contained HTML page ({@code timeline.html} beside this class: inline CSS and JavaScript,
 * nothing fetched). The traces go in as JSON inside a {@code <script type="application/json">} element; the
 * page's script builds each row element once, on first show, and only from text nodes, so names and values
 * from the traced job are never interpreted as markup.
 */
final class HtmlTimeline {
    private static final String TEMPLATE = "timeline.html";
    private static final String TITLE_MARKER = "/*TITLE*/";
    private static final String DATA_MARKER = "/*DATA*/";
    static final int ERROR = 1;
    static final int THROTTLE = 2;
    static final int FAULT = 4;
    static final int RUNNING = 8;
    static final int SUMMARY = 16;
    static final int ORPHAN = 32;
    static final int SEGMENT = 64;
    static final int PLACEHOLDER = 128;

    private HtmlTimeline() {
    }

    static String render(List<Trace> traces) throws IOException {
        String template = template();
        String title = traces.size() == 1 ? "Trace " + traces.get(0).traceId : traces.size() + " traces";
        // Spliced at the markers' places in the template, so text inside the data can never be taken for a marker.
        int titleAt = template.indexOf(TITLE_MARKER);
        int dataAt = template.indexOf(DATA_MARKER);
        return template.substring(0, titleAt) + escapeHtml(title)
                + template.substring(titleAt + TITLE_MARKER.length(), dataAt) + data(traces)
                + template.substring(dataAt + DATA_MARKER.length());
    }

    /** {"traces":[{id, start, duration, segments, subsegments, rows:[[depth, parent, name, offset, duration, flags, id, extra]], docs:[...]}]} */
    static String data(List<Trace> traces) {
        StringBuilder out = new StringBuilder();
        out.append("{\"traces\":[");
        for (int t = 0; t < traces.size(); t++) {
            Trace trace = traces.get(t);
            if (t > 0) {
                out.append(',');
            }
            out.append("{\"id\":");
            ScriptJson.write(trace.traceId, out);
            out.append(",\"start\":").append(trace.start).append(",\"duration\":").append(trace.duration())
                    .append(",\"segments\":").append(trace.segmentCount)
                    .append(",\"subsegments\":").append(trace.subsegmentCount).append(",\"rows\":[");
            List<Trace.Row> rows = trace.rows();
            for (int r = 0; r < rows.size(); r++) {
                if (r > 0) {
                    out.append(',');
                }
                writeRow(rows.get(r), trace, out);
            }
            out.append("],\"docs\":[");
            for (int r = 0; r < rows.size(); r++) {
                if (r > 0) {
                    out.append(',');
                }
                ScriptJson.write(rows.get(r).node.document, out);
            }
            out.append("]}");
        }
        return out.append("]}").toString();
    }

    private static void writeRow(Trace.Row row, Trace trace, StringBuilder out) {
        TimelineNode node = row.node;
        double end = node.end == null ? trace.end : node.end;
        List<Object> fields = new ArrayList<>();
        fields.add((long) row.depth);
        fields.add((long) row.parentIndex);
        // A name is shown as text, yet U+202E would still reverse it on the page: controls are shown as escapes.
        fields.add(TerminalWaterfall.visible(node.label));
        fields.add(micros(node.start - trace.start));
        fields.add(micros(end - node.start));
        fields.add((long) flags(node));
        fields.add(node.id);
        Map<String, Object> extra = new LinkedHashMap<>();
        if (node.summary != null) {
            extra.put("summary", node.summary);
            if (node.summary.get("count") instanceof Number) {
                extra.put("count", node.summary.get("count"));
            }
        }
        if (node.orphan()) {
            extra.put("missingParent", node.missingParentId);
        }
        if (node.operation() != null) {
            extra.put("operation", node.operation());
        }
        if (node.failure != null) {
            List<String> failure = new ArrayList<>();
            for (String line : node.failure) {
                failure.add(TerminalWaterfall.visible(line));
            }
            extra.put("failure", failure);
        }
        if (node.raisedHere != null) {
            extra.put("raisedHere", TerminalWaterfall.visible(node.raisedHere));
        }
        if (node.python != null) {
            extra.put("python", node.python);
        }
        fields.add(extra.isEmpty() ? null : extra);
        ScriptJson.write(fields, out);
    }

    /** Seconds rounded to the microsecond X-Ray records, without the noise of subtracting epoch doubles. */
    private static double micros(double seconds) {
        return Math.round(seconds * 1e6) / 1e6;
    }

    static int flags(TimelineNode node) {
        return (node.error ? ERROR : 0) | (node.throttle ? THROTTLE : 0) | (node.fault ? FAULT : 0)
                | (node.inProgress() ? RUNNING : 0) | (node.isSummary ? SUMMARY : 0) | (node.orphan() ? ORPHAN : 0)
                | (node.segment ? SEGMENT : 0) | (node.placeholder ? PLACEHOLDER : 0);
    }

    static String escapeHtml(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<': out.append("&lt;"); break;
                case '>': out.append("&gt;"); break;
                case '&': out.append("&amp;"); break;
                case '"': out.append("&quot;"); break;
                case '\'': out.append("&#39;"); break;
                default: out.append(c);
            }
        }
        return out.toString();
    }

    private static String template() throws IOException {
        try (InputStream in = HtmlTimeline.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IOException("the page template " + TEMPLATE + " is missing from the agent jar");
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                bytes.write(buffer, 0, n);
            }
            return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
        }
    }
}
