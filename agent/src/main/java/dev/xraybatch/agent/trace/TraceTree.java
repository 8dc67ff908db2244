package dev.xraybatch.agent.trace;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One trace as this JVM holds it: the job's root segment and what is still beneath it in memory, or a detached
 * subsegment and its children. Its monitor guards the tree's shape.
 *
 * <p>What leaves memory, and when:
 * <ul>
 *   <li>a finished subsegment stays in its open parent, so that small jobs send few, whole documents;</li>
 *   <li>once more than {@link #streamAfter} have finished since the last time, every complete subtree under an open
 *   entity is sent as independent documents (the X-Ray SDK for Java streams at 100 too), which keeps memory and
 *   document size bounded in long jobs;</li>
 *   <li>a subsegment whose parent was already sent (work that outlived the code that handed it over) is sent on
 *   its own when it completes, naming its parent.</li>
 * </ul>
 */
final class TraceTree {
    final String traceId;
    final CauseRecord.ExceptionIds exceptionIds = new CauseRecord.ExceptionIds();
    private final Emitter emitter;
    private final int streamAfter;
    /** Subsegments finished since the last streaming pass. Guarded by this. */
    private int finishedSinceStream;

    TraceTree(String traceId, Emitter emitter, int streamAfter) {
        this.traceId = traceId;
        this.emitter = emitter;
        this.streamAfter = streamAfter;
    }

    /** Where finished entities go: the export pipeline, behind the tracer. */
    interface Emitter {
        void emit(Entity top);
    }

    synchronized void attach(Entity parent, Subsegment child) {
        if (parent.emitted) {
            return; // sent already: the child will go on its own, naming the parent
        }
        if (parent.children == null) {
            parent.children = Entity.newChildList();
        }
        parent.children.add(child);
    }

    /** Forgets an open subsegment that holds nothing: it is never sent. See {@link Tracer#discard}. */
    synchronized boolean discard(Subsegment s) {
        if (s.isClosed() || (s.children != null && !s.children.isEmpty())) {
            return false;
        }
        if (s.parent != null && s.parent.children != null) {
            s.parent.children.remove(s);
        }
        s.emitted = true;
        s.closed = true;
        return true;
    }

    /** Called once a subsegment's end time is set. */
    synchronized void finished(Subsegment s) {
        closeSummaries(s);
        if (s.parent == null) {
            if (isComplete(s)) {
                send(s);
            }
            return;
        }
        Entity e = s;
        while (e.parent != null) {
            Entity parent = e.parent;
            if (parent.emitted) {
                if (isComplete(e)) {
                    send((Subsegment) e);
                }
                return;
            }
            if (!parent.isClosed()) {
                break;
            }
            e = parent;
        }
        if (e.parent == null && !e.isSegment()) {
            if (isComplete(e)) {
                send((Subsegment) e);
            }
            return;
        }
        if (++finishedSinceStream > streamAfter) {
            finishedSinceStream = 0;
            streamCompleteSubtrees(topOf(s));
        }
    }

    /**
     * Hands over every complete subtree still held under {@code top} now, whatever the count since the last time:
     * the cut at the end of a window, so that work goes out with the window it finished in. Call summaries of
     * windows that ended by {@code nowMillis} close first and go with it.
     */
    synchronized void cut(Entity top, long nowMillis) {
        if (!top.emitted) {
            closeEndedWindows(top, nowMillis);
            finishedSinceStream = 0;
            streamCompleteSubtrees(top);
        }
    }

    /**
     * Closes the root at exit: summaries get their end; work still open is ended at the root's end and marked
     * {@code xray_batch.ended_by_exit} (a pending subsegment would never resolve in the console); everything still
     * held is frozen into the root's document.
     */
    synchronized void closeTop(Entity top) {
        closeSummariesDeep(top);
        endOpenWork(top, top.endMicros);
        freeze(top);
    }

    private static void endOpenWork(Entity e, long endMicros) {
        if (e.children == null) {
            return;
        }
        for (Subsegment c : e.children) {
            if (!c.isClosed()) {
                c.endMicros = Math.max(endMicros, c.startMicros);
                c.putMetadata("xray_batch", "ended_by_exit", Boolean.TRUE);
                c.closed = true;
            }
            endOpenWork(c, endMicros);
        }
    }

    /** {@code top} and everything still held beneath it: what is lost with it if it is dropped unrendered. */
    synchronized int countHeld(Entity top) {
        int count = 1;
        if (top.children != null) {
            for (Subsegment c : top.children) {
                count += countHeld(c);
            }
        }
        return count;
    }

    private static Entity topOf(Entity e) {
        while (e.parent != null) {
            e = e.parent;
        }
        return e;
    }

    private void streamCompleteSubtrees(Entity open) {
        List<Subsegment> children = open.children;
        if (children == null) {
            return;
        }
        List<Subsegment> complete = null;
        for (Iterator<Subsegment> it = children.iterator(); it.hasNext(); ) {
            Subsegment child = it.next();
            if (isComplete(child)) {
                it.remove();
                if (complete == null) {
                    complete = new ArrayList<>();
                }
                complete.add(child);
            } else {
                streamCompleteSubtrees(child);
            }
        }
        if (complete != null) {
            for (Subsegment c : complete) {
                send(c);
            }
        }
    }

    /** Closed, and so is everything beneath it that is still held. Summaries count as done once closed. */
    private static boolean isComplete(Entity e) {
        if (!e.isClosed()) {
            return false;
        }
        if (e.children != null) {
            for (Subsegment c : e.children) {
                if (!isComplete(c)) {
                    return false;
                }
            }
        }
        return true;
    }

    private void send(Subsegment top) {
        freeze(top);
        emitter.emit(top);
    }

    private static void freeze(Entity e) {
        e.emitted = true;
        if (e.children != null) {
            for (Subsegment c : e.children) {
                freeze(c);
            }
        }
    }

    /** A parent that ends closes the summaries beneath it: no more calls can join them. */
    private static void closeSummaries(Entity parent) {
        if (parent.childLimits == null || parent.children == null) {
            return;
        }
        for (Subsegment child : parent.children) {
            if (child.summary != null && !child.isClosed()) {
                closeSummary(child);
            }
        }
    }

    private static void closeSummary(Subsegment summary) {
        summary.setEndMicros(Math.max(summary.startMicros, summary.summary.lastEnd()));
        summary.closed = true;
    }

    /** Closes the summaries of windows that ended by {@code nowMillis}, under {@code e} and beneath. */
    private static void closeEndedWindows(Entity e, long nowMillis) {
        if (e.children == null) {
            return;
        }
        for (Subsegment child : e.children) {
            if (child.summary != null) {
                if (!child.isClosed() && child.summary.windowEndMillis <= nowMillis) {
                    closeSummary(child);
                }
            } else {
                closeEndedWindows(child, nowMillis);
            }
        }
    }

    private static void closeSummariesDeep(Entity e) {
        closeSummaries(e);
        if (e.children != null) {
            for (Subsegment c : e.children) {
                closeSummariesDeep(c);
            }
        }
    }
}
