package dev.xraybatch.agent.instrument.spark.driver;

import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Entity;
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
import java.util.function.LongSupplier;

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
    /**
     * A Python driver program's own time between its calls into the JVM is shown from a tenth of a second on,
     * sampled four times as often: in PySpark the Python program is the job's code, and its stretches between
     * actions are short but add up (a few hundred milliseconds each, 5 to 10% of a run).
     */
    static final long PYTHON_SAMPLE_MILLIS = 50L;
    static final long PYTHON_MIN_GAP_MICROS = 100_000L;
    /** Where the samples were: the most frequent places, in the subsegment's metadata. */
    static final int SHOWN_PLACES = 5;
    /** Distinct places counted per gap; later new ones count together. */
    static final int MAX_PLACES = 500;
    static final String OTHER_PLACES = "(other places)";
    /** A Python gap's sample with the Py4J thread waiting for Python's next call, or the JVM call it is in. */
    static final String IN_PYTHON = "(python)";
    private final Tracer tracer;
    /** Gaps count against the trace budget; once it runs short they are only counted in the root's metadata. */
    private final TraceBudget budget;
    private final IdleWatch watch;
    /**
     * The watched thread serves a Python driver program through Py4J: its time outside subsegments is the Python
     * program's own work (the thread waits for the next Py4J call), or a JVM call that made no subsegment.
     */
    private final boolean python;
    /** When the job's end began (0 while it runs): a gap open then ends there, where the JVM's shut-down begins. */
    private final LongSupplier jobEndingMicros;
    private volatile boolean stopped;
    /** Idle time before this is covered by a phase that was moved back over it (Spark's start). */
    private volatile long explainedUntilMicros;

    // The gap being sampled; touched by the sampler thread only, and by flush() once the job is ending.
    private long gapStartMicros;
    /** What the thread did just before the gap, as the watch saw it go idle. */
    private String gapAfter;
    /** The subsegment the thread left when the gap began: the gap starts no earlier than its end. */
    private Entity gapAfterEntity;
    private final Map<String, int[]> places = new HashMap<>();
    private final Map<String, int[]> states = new HashMap<>();
    private int samples;
    /** When a sample last saw the thread idle in the gap being sampled: the latest the gap can have ended. */
    private long lastSeenIdleMicros;
    /** Python mode: the stretch as runs of samples in Python's own code or in one JVM call after another. */
    private final List<Run> runs = new ArrayList<>();

    /** When the watch began: no gap this sampler sends starts earlier. */
    private final long watchedSinceMicros;

    private DriverGapSampler(Tracer tracer, TraceBudget budget, IdleWatch watch, boolean python,
                             LongSupplier jobEndingMicros) {
        this.watchedSinceMicros = watch.idleSinceMicros();
        this.tracer = tracer;
        this.budget = budget;
        this.watch = watch;
        this.python = python;
        this.jobEndingMicros = jobEndingMicros;
    }

    /**
     * Starts watching {@code driverThread}, idle from now on; null in JVMs whose root is not sent. {@code python}:
     * the thread serves a Python driver program (Py4J).
     */
    static DriverGapSampler start(Tracer tracer, TraceBudget budget, Thread driverThread, boolean python,
                                  LongSupplier jobEndingMicros) {
        if (tracer.isRootLocal()) {
            return null;
        }
        IdleWatch watch = new IdleWatch(driverThread, Tracer.nowMicros());
        DriverGapSampler sampler = new DriverGapSampler(tracer, budget, watch, python, jobEndingMicros);
        watch.keepStretchesOf(python ? PYTHON_MIN_GAP_MICROS : MIN_GAP_MICROS);
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
                Thread.sleep(python ? PYTHON_SAMPLE_MILLIS : SAMPLE_MILLIS);
                sampleOnce();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            AgentLog.internalError("sampling the Spark driver's time outside actions", t);
        }
    }

    Thread thread() {
        return watch.thread();
    }

    boolean isPython() {
        return python;
    }

    long watchedSinceMicros() {
        return watchedSinceMicros;
    }

    /** Stops sampling without sending the gap in progress: the thread turned out not to be the driver's. */
    synchronized void stop() {
        stopped = true;
        gapStartMicros = 0L;
        samples = 0;
        places.clear();
        states.clear();
        runs.clear();
    }

    void explainedUntil(long micros) {
        explainedUntilMicros = Math.max(explainedUntilMicros, micros);
    }

    /**
     * Sends the gap in progress and stops sampling: the context stopped, or the JVM is exiting. A Python driver's
     * thread is sampled on until it ends (the Python program exits) or the JVM does.
     */
    synchronized void flush(boolean jvmExiting) {
        if (python && !jvmExiting) {
            return; // a Python program goes on after stopping its context: its end is Python's time too
        }
        stopped = true;
        closeEndedGap();
        if (watch.idleSinceMicros() != gapStartMicros) {
            // The gap this sampler followed ended unseen (a busy machine): where the watch saw it end, never at
            // the job's end over the work that came after it.
            closeGap(0L, 0L);
            return;
        }
        closeGap(0L, endNow());
    }

    /** The gap being followed, if the watch kept its end: it ends there, even if the thread moved on since. */
    private void closeEndedGap() {
        for (IdleWatch.Stretch ended : watch.takeEnded()) {
            if (ended.idleSinceMicros == gapStartMicros) {
                closeGap(0L, ended.busyAtMicros);
            }
        }
    }

    /** Now, or where the job's end began if it has: what follows is the JVM's shut-down, a phase of its own. */
    private long endNow() {
        long now = Tracer.nowMicros();
        long ending = jobEndingMicros.getAsLong();
        return ending > gapStartMicros && ending < now ? ending : now;
    }

    private synchronized void sampleOnce() {
        if (stopped) {
            return;
        }
        long sampledAt = Tracer.nowMicros(); // before the watch is read: the thread was idle then, or began since
        closeEndedGap();
        long idleSince = watch.idleSinceMicros();
        if (idleSince != gapStartMicros) {
            closeGap(idleSince, 0L);
            gapStartMicros = idleSince;
            gapAfter = watch.lastLeft();
            gapAfterEntity = watch.lastLeftEntity();
        }
        if (idleSince == 0L) {
            return;
        }
        long seenIdleAt = Math.max(sampledAt, idleSince);
        Thread driver = watch.thread();
        if (!driver.isAlive()) {
            closeGap(0L, endNow());
            stopped = true;
            return;
        }
        Thread.State state = driver.getState();
        String place = python ? pythonPlace(driver.getStackTrace()) : place(driver.getStackTrace());
        if (watch.idleSinceMicros() != idleSince) {
            return; // the thread went to work for a subsegment meanwhile: the stack may be that work's
        }
        lastSeenIdleMicros = seenIdleAt;
        if (places.size() >= MAX_PLACES && !places.containsKey(place)) {
            place = OTHER_PLACES; // an hours-long gap in ever-changing code keeps a bounded map
        }
        count(places, place);
        count(states, state.name());
        samples++;
        if (python) {
            boolean inPython = IN_PYTHON.equals(place);
            Run last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last == null || last.inPython != inPython) {
                last = new Run(inPython, runs.isEmpty() ? idleSince : seenIdleAt);
                runs.add(last);
            }
            last.samples++;
            if (!inPython && (last.places.size() < MAX_PLACES || last.places.containsKey(place))) {
                count(last.places, place);
            }
        }
    }

    /**
     * Ends the sampled gap where the thread went to work for a subsegment, as the watch saw it; {@code endMicros}
     * overrides when known.
     */
    private void closeGap(long nextIdleSince, long endMicros) {
        long gapStart = gapStartMicros;
        String after = gapAfter;
        gapAfter = null;
        Entity left = gapAfterEntity;
        gapAfterEntity = null;
        long start = Math.max(Math.max(gapStart, explainedUntilMicros), left == null ? 0L : left.endMicros());
        Samples taken = takeSamples();
        gapStartMicros = 0L;
        if (gapStart == 0L || taken.count == 0) {
            return;
        }
        long end = endMicros;
        boolean endedByWork = false;
        if (end == 0L) {
            // The thread went to work when the gap ended. If it went idle and busy again before this sampler
            // looked, that moment is lost: the gap ends where a sample last saw the thread idle in it, before the
            // work began, never over it (a short failed action between two samples).
            long busy = watch.busyAfter(gapStart);
            endedByWork = busy > gapStart;
            end = endedByWork ? busy : Math.max(gapStart, lastSeenIdleMicros);
        }
        send(start, end, after, endedByWork ? watch.lastEntered() : null, taken);
    }

    /**
     * A subsegment that was not the thread's current one (a constructor's phase, a slow analysis recorded after
     * the fact) covered {@code from..to} of the watched thread's time: the gap in progress ends at {@code from},
     * and is sent if it is long enough, and the thread's time after {@code to} is a new stretch.
     */
    synchronized void explained(long fromMicros, long toMicros, String by) {
        if (stopped) {
            return;
        }
        if (gapStartMicros != 0L) {
            long start = Math.max(gapStartMicros, explainedUntilMicros);
            Samples taken = takeSamples();
            // Runs that began once the phase had begun are its time, not the gap's.
            taken.runs.removeIf(run -> run.startMicros >= fromMicros);
            if (taken.count > 0) {
                send(start, fromMicros, gapAfter, by, taken);
            }
            gapAfter = by;
        }
        explainedUntil(toMicros);
    }

    /** The samples of the stretch so far, which start again from none. */
    private Samples takeSamples() {
        Samples taken = new Samples(samples, new HashMap<>(places), new HashMap<>(states), new ArrayList<>(runs));
        samples = 0;
        places.clear();
        states.clear();
        runs.clear();
        return taken;
    }

    private static final class Samples {
        final int count;
        final Map<String, int[]> places;
        final Map<String, int[]> states;
        final List<Run> runs;

        Samples(int count, Map<String, int[]> places, Map<String, int[]> states, List<Run> runs) {
            this.count = count;
            this.places = places;
            this.states = states;
            this.runs = runs;
        }
    }

    /** Consecutive samples of a Python gap alike: in Python's own code, or in JVM calls Python made. */
    static final class Run {
        final boolean inPython;
        long startMicros;
        long endMicros;
        int samples;
        final Map<String, int[]> places = new HashMap<>();

        Run(boolean inPython, long startMicros) {
            this.inPython = inPython;
            this.startMicros = startMicros;
        }

        /** Takes the next run in: its time and samples; it keeps its own kind only when it has more samples. */
        Run absorb(Run next) {
            Run kept = next.samples > samples ? new Run(next.inPython, startMicros) : new Run(inPython, startMicros);
            kept.endMicros = next.endMicros;
            kept.samples = samples + next.samples;
            mergeCounts(kept.places, places);
            mergeCounts(kept.places, next.places);
            return kept;
        }
    }

    /**
     * A Python gap as its runs, each at least {@code minimumMicros} long: shorter runs join a neighbour, so the
     * runs still cover the whole gap, and neighbours of one kind join up. Runs in Python are Python's time; runs in JVM calls are
     * the driver's (Spark's first Dataset builds Catalyst and its encoders; a read lists files).
     */
    static List<Run> runsOfAtLeast(List<Run> sampled, long start, long end, long minimumMicros) {
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < sampled.size(); i++) {
            Run r = sampled.get(i);
            Run copy = new Run(r.inPython, i == 0 ? start : Math.max(start, Math.min(r.startMicros, end)));
            copy.samples = r.samples;
            mergeCounts(copy.places, r.places);
            runs.add(copy);
        }
        for (int i = 0; i < runs.size(); i++) {
            runs.get(i).endMicros = i + 1 < runs.size() ? runs.get(i + 1).startMicros : end;
        }
        boolean merged = true;
        while (merged && runs.size() > 1) {
            merged = false;
            for (int i = 0; i < runs.size(); i++) {
                Run r = runs.get(i);
                boolean shortRun = r.endMicros - r.startMicros < minimumMicros;
                boolean sameAsNext = i + 1 < runs.size() && runs.get(i + 1).inPython == r.inPython;
                if (shortRun || sameAsNext) {
                    int into = i + 1 < runs.size() ? i : i - 1; // join the next one, or the last joins the previous
                    runs.set(into, runs.get(into).absorb(runs.get(into + 1)));
                    runs.remove(into + 1);
                    merged = true;
                    break;
                }
            }
        }
        return runs;
    }

    private static void mergeCounts(Map<String, int[]> into, Map<String, int[]> from) {
        for (Map.Entry<String, int[]> e : from.entrySet()) {
            int[] n = into.get(e.getKey());
            if (n == null) {
                into.put(e.getKey(), new int[] {e.getValue()[0]});
            } else {
                n[0] += e.getValue()[0];
            }
        }
    }

    /** A stretch of at least a second becomes a subsegment of the root (a Python one, one per run), within the budget. */
    private void send(long start, long end, String after, String before, Samples taken) {
        if (end - start < (python ? PYTHON_MIN_GAP_MICROS : MIN_GAP_MICROS)) {
            return;
        }
        if (!python) {
            Map<String, Integer> places = mostFrequent(taken.places, SHOWN_PLACES);
            String dominant = places.isEmpty() ? "" : places.keySet().iterator().next();
            Subsegment gap = open(dominant.startsWith("py4j.") ? PYTHON_NAME : NAME, start, after, before);
            if (gap != null) {
                gap.putMetadata("spark", "driver_samples", places);
                gap.putMetadata("spark", "driver_thread_states", mostFrequent(taken.states, taken.states.size()));
                close(gap, end);
            }
            return;
        }
        List<Run> runs = runsOfAtLeast(taken.runs, start, end, PYTHON_MIN_GAP_MICROS);
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            Subsegment gap = open(run.inPython ? PYTHON_NAME : NAME, run.startMicros, i == 0 ? after : null,
                    i == runs.size() - 1 ? before : null);
            if (gap == null) {
                return;
            }
            if (!run.inPython) {
                // Python waited for the JVM: the Spark calls it made, and where they spent the time.
                gap.putMetadata("spark", "python_called", mostFrequent(run.places, SHOWN_PLACES));
            }
            close(gap, run.endMicros);
        }
    }

    private Subsegment open(String name, long start, String after, String before) {
        if (budget.isSpent()) {
            budget.summarizedDriverGap();
            return null;
        }
        Subsegment gap = tracer.beginChild(tracer.root(), name);
        gap.setKind(Kind.SAMPLE);
        gap.setStartMicros(start);
        if (after != null) {
            gap.putMetadata("spark", "after", after);
        }
        if (before != null) {
            gap.putMetadata("spark", "before", before);
        }
        return gap;
    }

    private void close(Subsegment gap, long end) {
        gap.putMetadata("spark", "sample_interval_ms", python ? PYTHON_SAMPLE_MILLIS : SAMPLE_MILLIS);
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

    /** The place of a Python gap's sample: {@link #IN_PYTHON}, or the Spark method a Py4J call is in. */
    static String pythonPlace(StackTraceElement[] stack) {
        boolean inCommand = false;
        String outermostSpark = null;
        for (int i = stack.length - 1; i >= 0; i--) {
            String type = stack[i].getClassName();
            if (type.startsWith("py4j.commands.")) {
                inCommand = true;
            } else if (inCommand && outermostSpark == null && CallSite.isSparkFrame(type)
                    && !type.startsWith("scala.")) {
                outermostSpark = type.substring(type.lastIndexOf('.') + 1) + "." + stack[i].getMethodName();
            }
        }
        if (!inCommand) {
            return IN_PYTHON; // reading the next command from Python
        }
        return outermostSpark != null ? outermostSpark : place(stack);
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
