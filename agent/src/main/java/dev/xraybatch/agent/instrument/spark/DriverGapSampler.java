package dev.xraybatch.agent.instrument.spark;

import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.IdleWatch;
import dev.xraybatch.agent.trace.Kind;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Explains the driver's time outside Spark's actions and phases. While the thread that started Spark works for no
 * subsegment (the job defining DataFrames, which Spark analyzes eagerly; its own computation; waiting), its stack
 * is sampled every {@value #SAMPLE_MILLIS} ms, and a stretch longer than a second becomes a "driver code"
 * subsegment of the root that says where the samples were: the job's line and the Spark method it was in.
 *
 * <p>One daemon thread; it only reads the watched thread's stack while that thread is outside every subsegment.
 */
final class DriverGapSampler implements Runnable {
    static final String NAME = "driver code";
    /** A PySpark driver's JVM thread waiting in Py4J for the next call: the time went to the Python program. */
    static final String PYTHON_NAME = "python driver code";
    static final long SAMPLE_MILLIS = 200L;
    static final long MIN_GAP_MICROS = 1_000_000L;
    /** Where the samples were: the most frequent places, in the subsegment's metadata. */
    static final int SHOWN_PLACES = 5;
    /** Distinct places counted per gap; later new ones count together. */
    static final int MAX_PLACES = 500;
    static final String OTHER_PLACES = "(other places)";
    private final Tracer tracer;
    /** Gaps count against the trace budget; once it runs short they are only counted in the root's metadata. */
    private final TraceBudget budget;
    private final IdleWatch watch;
    private volatile boolean stopped;
    /** Idle time before this is covered by a phase that was moved back over it (Spark's start). */
    private volatile long explainedUntilMicros;

    // The gap being sampled; touched by the sampler thread only, and by flush() once the job is ending.
    private long gapStartMicros;
    private final Map<String, int[]> places = new HashMap<>();
    private final Map<String, int[]> states = new HashMap<>();
    private int samples;

    private DriverGapSampler(Tracer tracer, TraceBudget budget, IdleWatch watch) {
        this.tracer = tracer;
        this.budget = budget;
        this.watch = watch;
    }

    /** Starts watching {@code driverThread}, idle from now on; null in JVMs whose root is not sent. */
    static DriverGapSampler start(Tracer tracer, TraceBudget budget, Thread driverThread) {
        if (tracer.isRootLocal()) {
            return null;
        }
        IdleWatch watch = new IdleWatch(driverThread, Tracer.nowMicros());
        DriverGapSampler sampler = new DriverGapSampler(tracer, budget, watch);
        tracer.watchIdle(watch);
        Thread thread = new Thread(sampler, "xray-batch-driver-gaps");
        thread.setDaemon(true);
        thread.start();
        return sampler;
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                Thread.sleep(SAMPLE_MILLIS);
                sampleOnce();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            AgentLog.internalError("sampling the Spark driver's time outside actions", t);
        }
    }

    void explainedUntil(long micros) {
        explainedUntilMicros = Math.max(explainedUntilMicros, micros);
    }

    /** Sends the gap in progress (the job is ending) and stops sampling. */
    synchronized void flush() {
        stopped = true;
        closeGap(0L, Tracer.nowMicros());
    }

    private synchronized void sampleOnce() {
        if (stopped) {
            return;
        }
        long idleSince = watch.idleSinceMicros();
        if (idleSince != gapStartMicros) {
            closeGap(idleSince, 0L);
            gapStartMicros = idleSince;
        }
        if (idleSince == 0L) {
            return;
        }
        Thread driver = watch.thread();
        if (!driver.isAlive()) {
            closeGap(0L, Tracer.nowMicros());
            stopped = true;
            return;
        }
        Thread.State state = driver.getState();
        String place = place(driver.getStackTrace());
        if (places.size() >= MAX_PLACES && !places.containsKey(place)) {
            place = OTHER_PLACES; // an hours-long gap in ever-changing code keeps a bounded map
        }
        count(places, place);
        count(states, state.name());
        samples++;
    }

    /**
     * Ends the sampled gap. It ended when the thread last became busy, unless that is older than the gap (the
     * sampler missed a short busy stretch) or newer than the next gap; {@code endMicros} overrides when known.
     */
    private void closeGap(long nextIdleSince, long endMicros) {
        long gapStart = gapStartMicros;
        long start = Math.max(gapStart, explainedUntilMicros);
        int sampled = samples;
        Map<String, int[]> where = new HashMap<>(places);
        Map<String, int[]> how = new HashMap<>(states);
        gapStartMicros = 0L;
        samples = 0;
        places.clear();
        states.clear();
        if (gapStart == 0L || sampled == 0) {
            return;
        }
        long end = endMicros;
        if (end == 0L) {
            long busy = watch.busySinceMicros();
            boolean busyEndedThisGap = busy > gapStart && (nextIdleSince == 0L || busy <= nextIdleSince);
            end = busyEndedThisGap ? busy : nextIdleSince != 0L ? nextIdleSince : Tracer.nowMicros();
        }
        if (end - start < MIN_GAP_MICROS) {
            return;
        }
        if (budget.isSpent()) {
            budget.summarizedDriverGap();
            return;
        }
        Map<String, Integer> places = mostFrequent(where, SHOWN_PLACES);
        String dominant = places.isEmpty() ? "" : places.keySet().iterator().next();
        Subsegment gap = tracer.beginChild(tracer.root(), dominant.startsWith("py4j.") ? PYTHON_NAME : NAME);
        gap.setKind(Kind.SAMPLE);
        gap.setStartMicros(start);
        gap.putMetadata("spark", "driver_samples", places);
        gap.putMetadata("spark", "driver_thread_states", mostFrequent(how, how.size()));
        gap.putMetadata("spark", "sample_interval_ms", SAMPLE_MILLIS);
        gap.setEndMicros(end);
        tracer.end(gap);
    }

    /**
     * Where the driver was: the job's frame that called into Spark and the Spark method it called
     * ("Job.main(Job.java:68) in SparkSession.range"), found from the bottom of the stack, so that libraries Spark
     * calls do not count as the job's; with no Spark on the stack, the innermost frame outside the JDK.
     */
    static String place(StackTraceElement[] stack) {
        StackTraceElement caller = null;
        for (int i = stack.length - 1; i >= 0; i--) {
            String type = stack[i].getClassName();
            if (CallSite.isSparkFrame(type)) {
                if (caller == null) {
                    break; // Spark's own thread
                }
                return frame(caller) + " in " + type.substring(type.lastIndexOf('.') + 1) + "."
                        + stack[i].getMethodName();
            }
            if (!isJdkFrame(type)) {
                caller = stack[i];
            }
        }
        for (StackTraceElement element : stack) {
            if (!isJdkFrame(element.getClassName())) {
                return frame(element);
            }
        }
        return stack.length == 0 ? "(no stack)" : frame(stack[0]);
    }

    private static boolean isJdkFrame(String className) {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("dev.xraybatch.agent.");
    }

    /** Without the class loader and module prefixes that {@code StackTraceElement.toString} adds on Java 9+. */
    private static String frame(StackTraceElement e) {
        return e.getClassName() + "." + e.getMethodName() + "(" + (e.getFileName() == null ? "unknown"
                : e.getFileName() + ":" + e.getLineNumber()) + ")";
    }

    private static void count(Map<String, int[]> counts, String key) {
        int[] n = counts.get(key);
        if (n == null) {
            counts.put(key, new int[] {1});
        } else {
            n[0]++;
        }
    }

    private static Map<String, Integer> mostFrequent(Map<String, int[]> counts, int limit) {
        List<Map.Entry<String, int[]>> entries = new ArrayList<>(counts.entrySet());
        Collections.sort(entries, (a, b) -> Integer.compare(b.getValue()[0], a.getValue()[0]));
        Map<String, Integer> top = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : entries.subList(0, Math.min(limit, entries.size()))) {
            top.put(e.getKey(), e.getValue()[0]);
        }
        return top;
    }
}
