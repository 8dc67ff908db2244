package dev.xraybatch.agent.export.burst;

import dev.xraybatch.agent.export.RunInfo;
import dev.xraybatch.agent.export.TraceWork;

import java.util.HashSet;
import java.util.Set;

/**
 * One trace the policy sends into: the job's own trace (part 0), the continuation trace of a window (part k), or a
 * trace taken when X-Ray closed one for its quota (an overflow of part k). What it holds until its burst, what it
 * was sent, and whether X-Ray still takes documents for it. Confined to the export worker.
 */
final class Destination {
    final String traceId;
    final RunInfo run;
    /** 0 for the job's own trace, else the window's number. */
    final int part;
    /** Taken when {@link #closedBy} closed: not a window's own trace. */
    final boolean overflow;
    final HeldTrace held = new HeldTrace();
    /** Ids of entities already in this trace from this JVM (documents and stand-ins sent). */
    final Set<Long> present = new HashSet<>();

    /** The job's final root, rendered at the job's end; goes first in the job's trace's last burst. */
    TraceWork finalRoot;
    /** Bytes and documents put on their way to this trace (sent or being sent). */
    long committedBytes;
    int committedDocuments;
    /** Bytes and documents X-Ray took. */
    long acceptedBytes;
    int acceptedDocuments;
    /** Documents X-Ray refused for the trace's quota. */
    int refusedForQuota;
    /** Bytes other JVMs are expected to send into it (charged by estimate). */
    long estimateBytes;
    /** Bursts this JVM sent into it. */
    int bursts;
    /** When the last of them went (the policy's clock, epoch ms). */
    long lastBurstMillis;
    /** Its window's burst went out: later work goes to the next window. */
    boolean windowSent;
    /** X-Ray said the trace is over its quota: nothing more goes to it from this JVM. */
    boolean closed;
    /** Where what would have gone here goes once it is closed. */
    Destination successor;
    /** The trace this one took over from (for an overflow). */
    Destination closedBy;
    /** Overflows whose burst is due as soon as possible. */
    boolean dueNow;
    /** The window this trace covers (epoch microseconds); for the job's trace, its first window. */
    final long startMicros;
    final long endMicros;

    Destination(String traceId, RunInfo run, int part, boolean overflow, long startMicros, long endMicros) {
        this.traceId = traceId;
        this.run = run;
        this.part = part;
        this.overflow = overflow;
        this.startMicros = startMicros;
        this.endMicros = endMicros;
    }

    /** The trace documents for this one really go to: itself, or the successor of a closed one. */
    Destination open() {
        Destination d = this;
        for (int i = 0; d.closed && d.successor != null && i < 64; i++) {
            d = d.successor;
        }
        return d;
    }

    /** Bytes this trace has used or will use: committed, held and expected from other JVMs. */
    long usedBytes() {
        return committedBytes + held.bytes() + estimateBytes;
    }

    @Override
    public String toString() {
        return (part == 0 && !overflow ? "job trace " : (overflow ? "overflow of part " : "part ") + part + " ")
                + traceId;
    }
}
