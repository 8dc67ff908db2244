package dev.xraybatch.agenttests.core;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The counts of the agent's closing line, {@code trace <id>: sent S documents, retried R sends, rejected J documents,
 * dropped D documents and I unrendered items (...)}, read from a child's stderr. Their meaning is ExportStats's:
 * a rendered document that was never sent is one of the D; an item dropped before rendering (queue full, or still
 * queued at the deadline) is one of the I, whatever number of documents it would have made; the segments and
 * subsegments those I held are counted apart.
 */
record ExportCounts(String traceId, long sent, long retried, long rejected, long documentsDropped, long itemsDropped,
                    long itemEntitiesDropped) {

    private static final Pattern LINE = Pattern.compile("\\[xray-batch-agent] trace (\\S+): sent (\\d+) documents,"
            + " retried (\\d+) sends, rejected (\\d+) documents, dropped (\\d+) documents and (\\d+) unrendered items"
            + "(?: \\(holding (\\d+) segments and subsegments\\))?");

    /** The one closing line in this stderr; fails showing the stderr when there is none or more than one. */
    static ExportCounts of(String stderr) {
        Matcher m = LINE.matcher(stderr);
        if (!m.find()) {
            throw new AssertionError("No closing line with the export counts in stderr:\n" + stderr);
        }
        ExportCounts counts = new ExportCounts(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)),
                m.group(7) == null ? 0L : Long.parseLong(m.group(7)));
        if (m.find()) {
            throw new AssertionError("More than one closing line in stderr:\n" + stderr);
        }
        return counts;
    }

    /** Everything that was produced but did not reach the receiver: D + I. */
    long dropped() {
        return documentsDropped + itemsDropped;
    }
}
