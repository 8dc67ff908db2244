package dev.xraybatch.agent.lifecycle.jvm;

import dev.xraybatch.agent.export.RunInfo;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Segment;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;
import dev.xraybatch.agent.trace.WindowFigures;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;

/**
 * The JVM's own costs, where they are large: garbage collection pauses, JIT compilation and class loading, as the
 * root's annotations at the job's end, and a long pause as a subsegment of the root at the time it stopped the job.
 *
 * <p>Nothing here runs on an application thread but one class count when main starts: the pauses arrive as JMX
 * notifications on the JVM's own notification thread, and the totals are read from the platform beans when the
 * root closes. Where notifications are missing (a JVM without them) only the beans' totals are reported.
 *
 * <p>Only pause collectors count ({@link PauseCollectors}): a concurrent collector's cycles ran beside the job.
 */
public final class JvmCosts {
    /** Pauses at least the threshold long get subsegments of their own up to this many; the rest are summarized. */
    static final int PAUSES_KEPT = 20;
    /** The limit key and summary name of pause subsegments past {@link #PAUSES_KEPT}. */
    static final String PAUSE_SUMMARY_NAME = "GC pause";
    /** How long the root's close waits at most for notifications of collections the beans already counted. */
    static final long NOTIFICATION_WAIT_MILLIS = 500L;
    /** How long the root's close waits at most for the listeners to be added (a job that ends as it starts). */
    static final long READY_WAIT_MILLIS = 1000L;
    /** Windows whose pause figures are kept for their continuation trace's root (sent a few seconds after). */
    static final int WINDOWS_KEPT = 16;

    private final Tracer tracer;
    private final long jvmStartEpochMillis;
    private final long pauseSubsegmentMillis;
    /** Counts down once the listeners are added (or could not be): the fields below are set then. */
    private final CountDownLatch ready = new CountDownLatch(1);
    private final List<GarbageCollectorMXBean> pauseBeans = new ArrayList<>();
    private final List<String> uncountedCollectors = new ArrayList<>();
    /** Per pause bean, its collection count when the listener was added: what notifications cannot include. */
    private final Map<String, Long> countAtListen = new LinkedHashMap<>();
    private volatile boolean listening;
    private volatile boolean ended;
    private volatile long classesBeforeMain = -1L;
    // Guarded by this: what the notifications told.
    private final Map<String, Long> notified = new LinkedHashMap<>();
    private long longestMillis = -1L;
    private GcPause longest;
    /** Per window of the job ({@link RunInfo#windowOf}): pauses, their total and longest milliseconds. */
    private final TreeMap<Integer, long[]> windows = new TreeMap<>();

    JvmCosts(Tracer tracer, long jvmStartEpochMillis, long pauseSubsegmentMillis) {
        this.tracer = tracer;
        this.jvmStartEpochMillis = jvmStartEpochMillis;
        this.pauseSubsegmentMillis = pauseSubsegmentMillis;
    }

    /**
     * Starts listening to the pause collectors' notifications, on a thread of its own: the first use of the
     * collector beans loads and sets up the JVM's management classes (25 to 100 ms measured), which the job's
     * start-up should not wait for. A pause before the listener is added is still in the totals (the beans count
     * it). Never throws.
     *
     * @param pauseSubsegmentMillis a pause at least this long becomes a subsegment of the root
     */
    public static JvmCosts start(Tracer tracer, long jvmStartEpochMillis, long pauseSubsegmentMillis) {
        final JvmCosts costs = new JvmCosts(tracer, jvmStartEpochMillis, pauseSubsegmentMillis);
        try {
            Thread thread = new Thread(new Runnable() {
                @Override
                public void run() {
                    costs.listen();
                }
            }, "xray-batch-jvm-costs");
            thread.setDaemon(true);
            thread.start();
            tracer.addToWindowRoots(new WindowFigures() {
                @Override
                public Map<String, Object> of(long startMicros, long endMicros) {
                    return costs.windowFigures(startMicros, endMicros);
                }
            });
        } catch (Throwable t) {
            AgentLog.debug("the JVM's costs are not reported: " + t);
            costs.ready.countDown();
        }
        return costs;
    }

    private void listen() {
        try {
            addListeners();
        } catch (Throwable t) {
            AgentLog.debug("no garbage collector figures: " + t);
        } finally {
            ready.countDown();
        }
    }

    /** Sets the fields {@link #ready} publishes: nothing else reads them before it counts down. */
    private void addListeners() {
        NotificationListener listener = new NotificationListener() {
            @Override
            public void handleNotification(Notification notification, Object handback) {
                try {
                    collected(GcPause.of(notification));
                } catch (Throwable t) {
                    AgentLog.internalError("reading a garbage collection notification", t);
                }
            }
        };
        boolean all = true;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            PauseCollectors.Kind kind = PauseCollectors.of(bean.getName());
            if (kind == PauseCollectors.Kind.UNKNOWN) {
                uncountedCollectors.add(bean.getName());
            }
            if (kind != PauseCollectors.Kind.PAUSES) {
                continue;
            }
            pauseBeans.add(bean);
            try {
                ((NotificationEmitter) bean).addNotificationListener(listener, null, null);
                // Read after adding: a collection in between is both counted here and notified (never missed).
                countAtListen.put(bean.getName(), bean.getCollectionCount());
            } catch (Throwable noNotifications) { // not an emitter, or a JVM without the notifications
                all = false;
                AgentLog.debug("no notifications from " + bean.getName() + " (" + noNotifications
                        + "): its pauses are counted, not timed one by one");
            }
        }
        listening = all && !pauseBeans.isEmpty();
    }

    /** The job's main method starts: the classes loaded so far were the JVM's and its launcher's start-up. */
    public long mainStarted() {
        if (classesBeforeMain < 0L) {
            try {
                classesBeforeMain = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
            } catch (Throwable t) {
                AgentLog.debug("no class loading count: " + t);
            }
        }
        return classesBeforeMain;
    }

    /** A finished collection, on the JVM's notification thread. */
    void collected(GcPause pause) {
        if (pause == null || PauseCollectors.of(pause.collector) != PauseCollectors.Kind.PAUSES) {
            return;
        }
        if (pause.durationMillis >= pauseSubsegmentMillis && !ended) {
            recordPause(pause);
        }
        // Counted once recorded: the root's close waits for the count, and so finds the pause's subsegment.
        synchronized (this) {
            Long seen = notified.get(pause.collector);
            notified.put(pause.collector, seen == null ? 1L : seen + 1L);
            if (pause.durationMillis > longestMillis) {
                longestMillis = pause.durationMillis;
                longest = pause;
            }
            countInWindow(pause);
            notifyAll();
        }
    }

    /** Holds this. Only the last {@link #WINDOWS_KEPT} windows: earlier ones were sent long ago. */
    private void countInWindow(GcPause pause) {
        RunInfo run = tracer.run();
        if (run.windowMillis <= 0L) {
            return;
        }
        int window = run.windowOf(GcPause.epochMicros(jvmStartEpochMillis, pause.startMillis) / 1000L);
        long[] figures = windows.get(window);
        if (figures == null) {
            figures = new long[3];
            windows.put(window, figures);
            while (windows.size() > WINDOWS_KEPT) {
                windows.pollFirstEntry();
            }
        }
        figures[0]++;
        figures[1] += pause.durationMillis;
        figures[2] = Math.max(figures[2], pause.durationMillis);
    }

    /**
     * The pauses that began in the windows from {@code startMicros} to {@code endMicros}, for a continuation
     * trace's root: {@code gc_count}, {@code gc_pause_ms}, {@code gc_longest_pause_ms} of that window alone, as
     * the notifications told them (empty without notifications).
     */
    Map<String, Object> windowFigures(long startMicros, long endMicros) {
        Map<String, Object> figures = new LinkedHashMap<>();
        RunInfo run = tracer.run();
        if (!listening || run.windowMillis <= 0L) {
            return figures;
        }
        int first = run.windowOf(startMicros / 1000L);
        int last = run.windowOf(Math.max(startMicros, endMicros - 1L) / 1000L);
        long count = 0L;
        long total = 0L;
        long longestInWindow = 0L;
        synchronized (this) {
            for (long[] w : windows.subMap(first, true, last, true).values()) {
                count += w[0];
                total += w[1];
                longestInWindow = Math.max(longestInWindow, w[2]);
            }
        }
        figures.put("gc_count", count);
        figures.put("gc_pause_ms", total);
        if (count > 0L) {
            figures.put("gc_longest_pause_ms", longestInWindow);
        }
        return figures;
    }

    /** A subsegment of the root where the pause was, named after its collector and cause. */
    private void recordPause(GcPause pause) {
        Segment root = tracer.root();
        if (root.isClosed()) {
            return;
        }
        long start = Math.max(root.startMicros(), GcPause.epochMicros(jvmStartEpochMillis, pause.startMillis));
        Object previous = tracer.attach(root); // this thread works for no one: the pause belongs to the root
        try {
            Subsegment s = tracer.beginLimited(PAUSE_SUMMARY_NAME, pauseName(pause), PAUSES_KEPT);
            s.setStartMicros(start);
            s.setEndMicros(start + pause.durationMillis * 1000L);
            Map<String, Object> gc = new LinkedHashMap<>();
            gc.put("collector", pause.collector);
            gc.put("action", pause.action);
            gc.put("cause", pause.cause);
            gc.put("id", pause.id);
            gc.put("duration_ms", pause.durationMillis);
            if (pause.usedBeforeBytes >= 0L) {
                gc.put("heap_used_before_bytes", pause.usedBeforeBytes);
                gc.put("heap_used_after_bytes", pause.usedAfterBytes);
            }
            s.putMetadata("xray_batch", "gc", gc);
            tracer.end(s);
        } finally {
            tracer.detach(previous);
        }
    }

    /** {@code GC pause: MarkSweepCompact - System.gc} (X-Ray names take no parentheses). */
    static String pauseName(GcPause pause) {
        String name = PAUSE_SUMMARY_NAME + ": " + pause.collector;
        return pause.cause.isEmpty() ? name : name + " - " + pause.cause;
    }

    /**
     * The job ends (the root is about to close): its totals become the root's annotations. Waits a little (at
     * most {@link #NOTIFICATION_WAIT_MILLIS}) for the notifications of collections the beans counted already, so
     * that the last pause before the exit is in the trace whatever the notification thread's timing.
     */
    public void annotateRoot(Segment root) {
        if (awaitListeners(READY_WAIT_MILLIS)) {
            annotateGc(root);
        } else {
            AgentLog.debug("the garbage collector figures were not ready at the job's end: not reported");
        }
        annotateJit(root);
        annotateClasses(root);
    }

    /** Waits at most {@code millis} for the listeners to be added; true once they were (or could not be). */
    boolean awaitListeners(long millis) {
        try {
            return ready.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void annotateGc(Segment root) {
        awaitNotifications();
        ended = true;
        long count = 0L;
        long millis = 0L;
        boolean anyTime = false;
        Map<String, Object> collectors = new LinkedHashMap<>();
        for (GarbageCollectorMXBean bean : pauseBeans) {
            long c = bean.getCollectionCount();
            long t = bean.getCollectionTime();
            if (c >= 0L) {
                count += c;
            }
            if (t >= 0L) {
                millis += t;
                anyTime = true;
            }
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("count", c);
            one.put("time_ms", t);
            collectors.put(bean.getName(), one);
        }
        if (!pauseBeans.isEmpty()) {
            root.annotate("gc_count", count);
            if (anyTime) {
                root.annotate("gc_pause_ms", millis);
            }
        }
        Map<String, Object> gc = new LinkedHashMap<>();
        gc.put("pause_collectors", collectors);
        synchronized (this) {
            if (listening && longest != null) {
                root.annotate("gc_longest_pause_ms", longestMillis);
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("collector", longest.collector);
                l.put("cause", longest.cause);
                l.put("start_time", GcPause.epochMicros(jvmStartEpochMillis, longest.startMillis) / 1e6);
                gc.put("longest_pause", l);
            }
        }
        if (!uncountedCollectors.isEmpty()) {
            gc.put("not_counted", new ArrayList<>(uncountedCollectors));
        }
        root.putMetadata("xray_batch", "gc", gc);
    }

    private void awaitNotifications() {
        if (!listening) {
            return;
        }
        long deadline = System.nanoTime() + NOTIFICATION_WAIT_MILLIS * 1_000_000L;
        synchronized (this) {
            try {
                long left;
                while (!allNotified() && (left = deadline - System.nanoTime()) > 0L) {
                    wait(Math.max(1L, left / 1_000_000L));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether every collection the beans counted since the listener was added has been notified. Holds this. */
    private boolean allNotified() {
        for (GarbageCollectorMXBean bean : pauseBeans) {
            Long atListen = countAtListen.get(bean.getName());
            Long seen = notified.get(bean.getName());
            if (atListen != null && bean.getCollectionCount() - atListen > (seen == null ? 0L : seen)) {
                return false;
            }
        }
        return true;
    }

    /** The JIT compilers' time: their own threads', beside the job (not a pause). */
    private static void annotateJit(Segment root) {
        try {
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            if (jit != null && jit.isCompilationTimeMonitoringSupported()) {
                root.annotate("jit_ms", jit.getTotalCompilationTime());
            }
        } catch (Throwable t) {
            AgentLog.debug("no JIT time: " + t);
        }
    }

    private void annotateClasses(Segment root) {
        try {
            ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
            root.annotate("classes_loaded", classes.getTotalLoadedClassCount());
            if (classesBeforeMain >= 0L) {
                root.annotate("classes_loaded_before_main", classesBeforeMain);
            }
        } catch (Throwable t) {
            AgentLog.debug("no class loading count: " + t);
        }
    }
}
