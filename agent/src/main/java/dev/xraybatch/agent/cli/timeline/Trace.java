package dev.xraybatch.agent.cli.timeline;

import java.util.ArrayList;
import java.util.List;

/** One assembled trace: its root segments (earliest first) with everything that arrived beneath them. */
final class Trace {
    final String traceId;
    final List<TimelineNode> roots;
    /** Epoch seconds of the earliest start in the trace; offsets are measured from here. */
    final double start;
    /** Epoch seconds of the latest end (or start, for work still in progress). */
    final double end;
    final int segmentCount;
    final int subsegmentCount;

    Trace(String traceId, List<TimelineNode> roots, double start, double end, int segmentCount, int subsegmentCount) {
        this.traceId = traceId;
        this.roots = roots;
        this.start = start;
        this.end = end;
        this.segmentCount = segmentCount;
        this.subsegmentCount = subsegmentCount;
    }

    double duration() {
        return end - start;
    }

    /** Every node in display order (depth first, children by start time), without recursion. */
    List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        List<Row> stack = new ArrayList<>();
        for (int i = roots.size() - 1; i >= 0; i--) {
            stack.add(new Row(roots.get(i), 0, -1, i == roots.size() - 1));
        }
        while (!stack.isEmpty()) {
            Row row = stack.remove(stack.size() - 1);
            row.index = rows.size();
            rows.add(row);
            List<TimelineNode> children = row.node.children;
            for (int i = children.size() - 1; i >= 0; i--) {
                stack.add(new Row(children.get(i), row.depth + 1, row.index, i == children.size() - 1));
            }
        }
        return rows;
    }

    /** A node in display order with its depth and the index of its parent row. */
    static final class Row {
        final TimelineNode node;
        final int depth;
        final int parentIndex;
        final boolean lastSibling;
        int index;

        Row(TimelineNode node, int depth, int parentIndex, boolean lastSibling) {
            this.node = node;
            this.depth = depth;
            this.parentIndex = parentIndex;
            this.lastSibling = lastSibling;
        }
    }
}
