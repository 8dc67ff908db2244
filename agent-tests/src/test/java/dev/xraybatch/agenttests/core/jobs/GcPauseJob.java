package dev.xraybatch.agenttests.core.jobs;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Makes full collections that take long: a live heap of many small linked objects (args[0] MB, default 200), then
 * System.gc() three times. Prints the wall-clock times around each call and, at the end, every collector bean's
 * count and time, for the test to compare with the trace.
 */
public final class GcPauseJob {
    /** Kept live until main returns: what each full collection must trace through. */
    private static Node head;

    static final class Node {
        final Node next;
        final long value;

        Node(Node next, long value) {
            this.next = next;
            this.value = value;
        }
    }

    public static void main(String[] args) {
        long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 200L;
        long nodes = megabytes * 1024L * 1024L / 24L; // a node: 12-byte header, 4-byte reference, 8-byte long
        for (long i = 0; i < nodes; i++) {
            head = new Node(head, i);
        }
        for (int i = 1; i <= 3; i++) {
            long before = System.currentTimeMillis();
            System.gc();
            long after = System.currentTimeMillis();
            System.out.println("gc " + i + " " + before + " " + after);
        }
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            System.out.println("bean " + bean.getName() + "|" + bean.getCollectionCount() + "|"
                    + bean.getCollectionTime());
        }
        System.out.println("GcPauseJob done, head " + (head == null ? -1 : head.value));
    }
}
