package dev.xraybatch.agent.lifecycle.jvm;

import javax.management.Notification;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * One garbage collection as its JMX notification tells it ({@code com.sun.management.GarbageCollectionNotificationInfo},
 * read through its open data, so that nothing here needs {@code com.sun.management}, which some JVMs lack).
 *
 * <p>The clock: the notification's start is milliseconds since the JVM finished its initialisation, on the JVM's
 * monotonic clock, and {@code RuntimeMXBean.getStartTime()} is the wall clock read at that same instant (HotSpot
 * takes both in {@code Management::record_vm_init_completed}). Their sum is the pause's epoch time, built like the
 * agent's own clock (one wall-clock reading plus a monotonic clock): the two agree to the millisecond, the
 * notification's resolution, unless the wall clock was stepped between the JVM's start and the agent's.
 */
public final class GcPause {
    /** The notification type of a finished collection ({@code GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION}). */
    public static final String NOTIFICATION_TYPE = "com.sun.management.gc.notification";

    public final String collector;
    /** "end of minor GC", "end of major GC", "end of GC pause", or the pause's own name (Shenandoah). */
    public final String action;
    /** "G1 Evacuation Pause", "Allocation Failure", "System.gc()"... */
    public final String cause;
    public final long id;
    /** Milliseconds since the JVM's initialisation ended (see the class comment). */
    public final long startMillis;
    public final long durationMillis;
    /** Heap used over all pools before and after; -1 when the notification did not say. */
    public final long usedBeforeBytes;
    public final long usedAfterBytes;

    GcPause(String collector, String action, String cause, long id, long startMillis, long durationMillis,
            long usedBeforeBytes, long usedAfterBytes) {
        this.collector = collector;
        this.action = action;
        this.cause = cause;
        this.id = id;
        this.startMillis = startMillis;
        this.durationMillis = durationMillis;
        this.usedBeforeBytes = usedBeforeBytes;
        this.usedAfterBytes = usedAfterBytes;
    }

    /** The collection a notification reports, or null when it is not a collection's notification. */
    public static GcPause of(Notification notification) {
        if (notification == null || !NOTIFICATION_TYPE.equals(notification.getType())
                || !(notification.getUserData() instanceof CompositeData)) {
            return null;
        }
        CompositeData data = (CompositeData) notification.getUserData();
        Object info = value(data, "gcInfo");
        if (!(info instanceof CompositeData)) {
            return null;
        }
        CompositeData gc = (CompositeData) info;
        return new GcPause(text(data, "gcName"), text(data, "gcAction"), text(data, "gcCause"),
                number(gc, "id"), number(gc, "startTime"), Math.max(0L, number(gc, "duration")),
                used(value(gc, "memoryUsageBeforeGc")), used(value(gc, "memoryUsageAfterGc")));
    }

    /** Epoch microseconds of a time the JVM gives in milliseconds since its initialisation. */
    public static long epochMicros(long jvmStartEpochMillis, long sinceJvmStartMillis) {
        return (jvmStartEpochMillis + sinceJvmStartMillis) * 1000L;
    }

    private static Object value(CompositeData data, String key) {
        return data.containsKey(key) ? data.get(key) : null;
    }

    private static String text(CompositeData data, String key) {
        Object v = value(data, key);
        return v == null ? "" : String.valueOf(v);
    }

    private static long number(CompositeData data, String key) {
        Object v = value(data, key);
        return v instanceof Number ? ((Number) v).longValue() : 0L;
    }

    /** Sum of {@code used} over a pool-to-MemoryUsage table; -1 when absent. */
    private static long used(Object table) {
        if (!(table instanceof TabularData)) {
            return -1L;
        }
        long sum = 0L;
        for (Object row : ((TabularData) table).values()) {
            if (row instanceof CompositeData) {
                Object usage = value((CompositeData) row, "value");
                if (usage instanceof CompositeData) {
                    sum += Math.max(0L, number((CompositeData) usage, "used"));
                }
            }
        }
        return sum;
    }
}
