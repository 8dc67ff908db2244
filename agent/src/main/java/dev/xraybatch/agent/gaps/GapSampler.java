package dev.xraybatch.agent.gaps;

import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Entity;
import dev.xraybatch.agent.trace.IdleWatch;
import dev.xraybatch.agent.trace.Kind;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Explains one thread's time outside every subsegment (the job's main thread; a JVM Spark driver's). While the
 * thread works for no subsegment ({@link IdleWatch}), its stack is read every few tens of milliseconds and named
 * ({@link SampleNames}); consecutive samples of one name are a run, and each run of {@value #MIN_RUN_MICROS} µs or
 * more becomes a subsegment of the root named after what ran, its places and thread states in metadata. Shorter
 * runs join a neighbour, so the runs still cover the whole stretch. While the thread waits for work it handed off
 * (a task it submitted, a thread it started, outside subsegments), the samples are of the threads doing that work:
 * the stretch is named after the job's code they run, and says whom and how the watched thread waited.
 *
 * <p>One daemon thread, which reads nothing while the watched thread works for a subsegment and ends with the job.
 * It also counts the samples in each of the job's own methods, for the pointcuts the closing line suggests.
 */
public final class GapSampler implements Runnable {
    static final long MIN_RUN_MICROS = 100_000L;
    /** Places shown per run, and distinct places counted per run (later new ones count together). */
    static final int SHOWN_PLACES = 5;
    static final int MAX_PLACES = 50;
    static final String OTHER_PLACES = "(other places)";
    /** Frames of a run's last sample kept in its metadata. */
    static final int TOP_FRAMES = 8;
    /** Runs held for one stretch before those complete are sent: an hours-long stretch keeps bounded memory. */
    static final int MAX_RUNS = 1000;
    /** Subsegments one sampler sends at most; past it (or the trace budget) stretches are only counted. */
    static final int MAX_SUBSEGMENTS = 500;
    /** Distinct methods of the job counted for the closing line's pointcuts. */
    static final int MAX_METHODS = 2000;
    static final String NAMESPACE = "gaps";
    /** Samples in a row that reuse a waiting thread's last stack before it is read again. */
    static final int MAX_REUSES = 3;
    /** A stretch the sampler saw begin and end with no sample in between (it was not scheduled in time). */
    static final String NOT_SAMPLED = "not sampled";
    /** Spans covered after the fact remembered for stretches sent late. */
    static final int MAX_COVERED_SPANS = 16;
    /** Threads doing handed-off work considered per sample, and stacks read of them at most. */
    static final int MAX_HELPERS_LISTED = 64;
    static final int MAX_HELPERS_READ = 4;

    private final Tracer tracer;
    private final IdleWatch watch;
    private final long sampleMillis;
    /** When the job's end began (0 while it runs): a stretch open then ends there, where the JVM's shut-down begins. */
    private final LongSupplier jobEndingMicros;
    private volatile boolean stopped;
    /** Idle time before this is covered by a phase that was moved back over it (Spark's start). */
    private volatile long explainedUntilMicros;

    // The stretch being sampled; touched under this object's monitor only.
    private long gapStartMicros;
    /** What the thread did just before the stretch, as the watch saw it go idle. */
    private String gapAfter;
    /** The subsegment the thread left when the gap began: the gap starts no earlier than its end. */
    private Entity gapAfterEntity;
    /** What the stretch goes beneath: the root (null), or a phase sampled inside (a Spring Batch step). */
    private Entity gapIn;
    private final List<Run> runs = new ArrayList<>();
    private int sent;
    private int summarized;
    private long summarizedMicros;
    /**
     * Sampled time (µs) per method of the job's own code ("com.acme.Job#warm"), over the whole run: each sample
     * counts the time since the one before, so that a busy machine, which delays the sampler most while the job
     * computes, does not make computing look shorter than waiting.
     */
    private final Map<String, long[]> ownMethods = new HashMap<>();
    private long lastSampleMicros;
    /** Where the last stretch sent (or closed) began: a kept stretch that began no later was dealt with. */
    private long lastClosedStartMicros;
    /** The latest spans other subsegments covered after the fact ({@link #explained}), oldest first. */
    private final ArrayDeque<long[]> coveredSpans = new ArrayDeque<long[]>();
    /** The last stack read, of which stretch, and how many samples since reused it. */
    private Sample lastSample;
    private long lastSampleStretch;
    private int reuses;

    private GapSampler(Tracer tracer, IdleWatch watch, long sampleMillis, LongSupplier jobEndingMicros) {
        this.tracer = tracer;
        this.watch = watch;
        this.sampleMillis = sampleMillis;
        this.jobEndingMicros = jobEndingMicros;
        this.gapStartMicros = watch.idleSinceMicros(); // the first stretch counts even if its first sample is late
        this.gapIn = watch.idleIn();
    }

    /**
     * Starts watching {@code thread}, idle since {@code idleSinceMicros} (0: now); null in JVMs whose root is not
     * sent. The tracer watches one thread: this replaces any other watch.
     */
    public static GapSampler start(Tracer tracer, Thread thread, long idleSinceMicros, long sampleMillis,
                                   LongSupplier jobEndingMicros) {
        if (tracer.isRootLocal()) {
            return null;
        }
        GapSampler sampler = watching(tracer, thread, idleSinceMicros, sampleMillis, jobEndingMicros);
        Thread daemon = new Thread(sampler, "xray-batch-gaps");
        daemon.setDaemon(true);
        daemon.start();
        return sampler;
    }

    /** Watches {@code thread} without a thread of its own to sample it: {@link #sampleOnce} is called by the caller. */
    static GapSampler watching(Tracer tracer, Thread thread, long idleSinceMicros, long sampleMillis,
                               LongSupplier jobEndingMicros) {
        IdleWatch watch = new IdleWatch(thread, idleSinceMicros > 0L ? idleSinceMicros : Tracer.nowMicros());
        GapSampler sampler = new GapSampler(tracer, watch, sampleMillis, jobEndingMicros);
        watch.onCovered(sampler::explained);
        watch.keepStretchesOf(MIN_RUN_MICROS);
        tracer.watchIdle(watch);
        return sampler;
    }

    /** Loads what sampling uses, so that the first sample is not late by a class loading of its own. */
    static void loadClasses() {
        Run run = new Run(NOT_SAMPLED, 0L);
        run.add(SampleNames.name(Thread.currentThread().getStackTrace(), Thread.State.RUNNABLE, null),
                read(Thread.currentThread()));
        runsOfAtLeast(Collections.singletonList(run), 0L, 1L, MIN_RUN_MICROS);
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                sampleOnce(); // at once first: on a busy machine this thread may start late
                Thread.sleep(sampleMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            AgentLog.internalError("sampling the job's time outside subsegments", t);
        }
    }

    public Thread thread() {
        return watch.thread();
    }

    public boolean isStopped() {
        return stopped;
    }

    /** Stops without sending the stretch in progress: another part explains this thread's time from now on. */
    public synchronized void stop() {
        stopped = true;
        gapStartMicros = 0L;
        runs.clear();
    }

    /** Sends the stretch in progress and stops: the job is ending. */
    public synchronized void flush() {
        if (stopped) {
            return;
        }
        stopped = true;
        takeEnded();
        long idleSince = watch.idleSinceMicros();
        if (idleSince == gapStartMicros) {
            closeGap(endNow(), null); // still going on: up to where the job's end began
            return;
        }
        // The stretch this sampler followed ended unseen (a busy machine): where the watch saw it end, never at
        // the job's end over the work that came after it. A stretch going on now that it never saw goes to the end.
        closeGap(0L, null);
        if (idleSince != 0L) {
            gapStartMicros = idleSince;
            gapIn = watch.idleIn();
            gapAfter = watch.lastLeft();
            gapAfterEntity = watch.lastLeftEntity();
            closeGap(endNow(), null);
        }
    }

    public void explainedUntil(long micros) {
        explainedUntilMicros = Math.max(explainedUntilMicros, micros);
    }

    /**
     * A subsegment that was not the thread's current one (a constructor's phase, a phase moved back over the time
     * Spark's classes took to load) covered {@code from..to} of the thread's time: the stretch in progress ends at
     * {@code from}, and the thread's time after {@code to} is a new stretch.
     */
    public synchronized void explained(long fromMicros, long toMicros, String by) {
        if (stopped) {
            return;
        }
        if (coveredSpans.size() >= MAX_COVERED_SPANS) {
            coveredSpans.removeFirst();
        }
        coveredSpans.addLast(new long[] {fromMicros, toMicros});
        if (gapStartMicros != 0L) {
            long start = Math.max(gapStartMicros, explainedUntilMicros);
            List<Run> taken = takeRuns();
            taken.removeIf(run -> run.startMicros >= fromMicros); // the phase's time, not the stretch's
            if (!taken.isEmpty()) {
                send(start, fromMicros, gapAfter, by, taken, gapIn);
            }
            gapAfter = by;
        }
        explainedUntil(toMicros);
    }

    /** The job's own methods with the most sampled time outside subsegments, most first: {class, method, µs}. */
    public synchronized List<String[]> topOwnMethods(int limit) {
        List<Map.Entry<String, long[]>> entries = new ArrayList<>(ownMethods.entrySet());
        Collections.sort(entries, (a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        List<String[]> top = new ArrayList<>();
        for (Map.Entry<String, long[]> e : entries.subList(0, Math.min(limit, entries.size()))) {
            int hash = e.getKey().indexOf('#');
            top.add(new String[] {e.getKey().substring(0, hash), e.getKey().substring(hash + 1),
                    String.valueOf(e.getValue()[0])});
        }
        return top;
    }

    /** Now, or where the job's end began if it has: what follows is the JVM's shut-down, a phase of its own. */
    private long endNow() {
        long now = Tracer.nowMicros();
        long ending = jobEndingMicros.getAsLong();
        return ending > gapStartMicros && ending < now ? ending : now;
    }

    synchronized void sampleOnce() {
        if (stopped) {
            return;
        }
        takeEnded();
        long idleSince = watch.idleSinceMicros();
        if (idleSince != gapStartMicros) {
            closeGap(0L, null);
            gapStartMicros = idleSince;
            gapIn = watch.idleIn();
            gapAfter = watch.lastLeft();
            gapAfterEntity = watch.lastLeftEntity();
        }
        if (idleSince == 0L) {
            return;
        }
        Thread thread = watch.thread();
        if (!thread.isAlive()) {
            closeGap(endNow(), null);
            stopped = true;
            return;
        }
        long now = Tracer.nowMicros();
        Sample sample = readOrReuse(thread, idleSince);
        if (watch.idleSinceMicros() != idleSince) {
            return; // the thread went to work for a subsegment meanwhile: the stack may be that work's
        }
        SampleNames.Named named = SampleNames.name(sample.stack, sample.state, sample.lockName);
        String waitedAs = null;
        String helperName = null;
        if (named.sparkCall == null && SampleNames.waitsForAnother(sample.stack, sample.state, sample.lockName)
                && !tracer.hasOpenChild(gapIn == null ? tracer.root() : gapIn)) {
            // Waiting for work it handed off: the time is named after what that work runs, if it is the job's,
            // unless that work is in a subsegment of its own now (a pointcut on it), which explains it already.
            Helper helper = helperAtWork();
            if (helper != null) {
                waitedAs = named.name;
                named = helper.named;
                sample = helper.sample;
                helperName = helper.threadName;
            }
        }
        long since = Math.max(lastSampleMicros, idleSince);
        lastSampleMicros = now;
        Run last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
        if (last == null || !last.name.equals(named.name)) {
            if (runs.size() >= MAX_RUNS) {
                sendCompleteRuns(now);
            }
            last = new Run(named.name, runs.isEmpty() ? idleSince : now);
            runs.add(last);
        }
        last.add(named, sample);
        if (helperName != null) {
            last.helped(helperName, waitedAs);
        }
        if (named.ownClass != null && named.sparkCall == null) {
            String key = named.ownClass + "#" + named.ownMethod;
            long[] micros = ownMethods.get(key);
            if (micros == null && ownMethods.size() < MAX_METHODS) {
                ownMethods.put(key, micros = new long[1]);
            }
            if (micros != null) {
                micros[0] += Math.min(now - since, 10L * sampleMillis * 1000L);
            }
        }
    }

    /** Holding {@link #MAX_RUNS} runs: those before the last are sent, and the stretch goes on from there. */
    private void sendCompleteRuns(long now) {
        long start = Math.max(gapStartMicros, explainedUntilMicros);
        List<Run> taken = takeRuns();
        Run open = taken.remove(taken.size() - 1);
        send(start, open.startMicros, gapAfter, null, taken, gapIn);
        gapAfter = null;
        explainedUntil(open.startMicros);
        runs.add(open);
    }

    /** A thread doing work the watched thread handed off, as one sample saw it. */
    private static final class Helper {
        final String threadName;
        final SampleNames.Named named;
        final Sample sample;

        Helper(String threadName, SampleNames.Named named, Sample sample) {
            this.threadName = threadName;
            this.named = named;
            this.sample = sample;
        }
    }

    /**
     * The thread, among those doing work the watched thread handed off ({@link IdleWatch#helpers}), that runs the
     * job's own code now: one running first, else one waiting or sleeping in it; null when none does. Stacks are
     * read for a few threads only, running ones first, so a job with many idle pool threads pays little.
     */
    private Helper helperAtWork() {
        List<Thread> helpers = watch.helpers(MAX_HELPERS_LISTED);
        if (helpers.isEmpty()) {
            return null;
        }
        Helper waiting = null;
        int read = 0;
        for (int pass = 0; pass < 2 && read < MAX_HELPERS_READ; pass++) {
            for (Thread helper : helpers) {
                boolean running = helper.getState() == Thread.State.RUNNABLE;
                if (running != (pass == 0) || read >= MAX_HELPERS_READ) {
                    continue;
                }
                read++;
                Sample sample = read(helper);
                SampleNames.Named named = SampleNames.name(sample.stack, sample.state, sample.lockName);
                if (named.ownClass == null || named.sparkCall != null) {
                    continue;
                }
                if (sample.state == Thread.State.RUNNABLE) {
                    return new Helper(helper.getName(), named, sample);
                }
                if (waiting == null) {
                    waiting = new Helper(helper.getName(), named, sample);
                }
            }
        }
        return waiting;
    }

    private static final class Sample {
        final StackTraceElement[] stack;
        final Thread.State state;
        /** What the thread is parked on (compared by identity), and its class's name. */
        final Object blocker;
        final String lockName;

        Sample(StackTraceElement[] stack, Thread.State state, Object blocker) {
            this.stack = stack;
            this.state = state;
            this.blocker = blocker;
            this.lockName = blocker == null ? null : blocker.getClass().getName();
        }
    }

    /**
     * A waiting thread's stack is read again only every {@value #MAX_REUSES}th sample while it still waits the
     * same way (same state, same thing parked on, same stretch): a job waiting for minutes costs a fraction of the
     * stack copies, and a wait that changed unseen is named late by at most that many samples.
     */
    private Sample readOrReuse(Thread thread, long idleSince) {
        Sample last = lastSample;
        if (last != null && reuses < MAX_REUSES && lastSampleStretch == idleSince && last.state != Thread.State.RUNNABLE
                && last.state == thread.getState() && last.blocker == LockSupport.getBlocker(thread)) {
            reuses++;
            return last;
        }
        Sample fresh = read(thread);
        reuses = 0;
        lastSample = fresh;
        lastSampleStretch = idleSince;
        return fresh;
    }

    /**
     * One read of the thread: its stack, its state, and what it is parked on ({@code LockSupport.getBlocker}).
     * Not through the management beans, which would name a monitor too: their first use loads for a second or
     * more on a busy machine, the time that most needs explaining at a job's start.
     */
    private static Sample read(Thread thread) {
        StackTraceElement[] stack = thread.getStackTrace();
        Thread.State state = thread.getState();
        Object blocker = LockSupport.getBlocker(thread);
        return new Sample(stack, state, blocker);
    }

    /** The long stretches the watch kept since the last look: each ends where it ended, seen or not. */
    private void takeEnded() {
        for (IdleWatch.Stretch ended : watch.takeEnded()) {
            if (ended.idleSinceMicros == gapStartMicros) {
                closeGap(ended.busyAtMicros, nameOf(ended.entered)); // where it ended, even if the thread moved on
            } else if (ended.idleSinceMicros > lastClosedStartMicros) {
                sendUnseen(ended);
            }
        }
    }

    /**
     * A stretch of {@link #MIN_RUN_MICROS} or more that began and ended between two looks of this sampler (not
     * scheduled in time on a busy machine): still time the trace must show, as {@value #NOT_SAMPLED} between its
     * neighbours, less what a subsegment made after the fact covered of it.
     */
    private void sendUnseen(IdleWatch.Stretch stretch) {
        lastClosedStartMicros = stretch.idleSinceMicros;
        long start = Math.max(stretch.idleSinceMicros, stretch.left == null ? 0L : stretch.left.endMicros());
        long end = stretch.busyAtMicros;
        for (long[] covered : coveredSpans) {
            if (covered[0] <= start && covered[1] >= end) {
                return;
            }
            if (covered[0] <= start && covered[1] > start) {
                start = covered[1];
            } else if (covered[0] > start && covered[0] < end) {
                end = covered[0];
            }
        }
        List<Run> unseen = new ArrayList<>();
        unseen.add(new Run(NOT_SAMPLED, start));
        send(start, end, nameOf(stretch.left), nameOf(stretch.entered), unseen, stretch.in);
    }

    private static String nameOf(Entity entity) {
        return entity == null ? null : entity.name();
    }

    /**
     * Ends the sampled stretch where the thread went to work for a subsegment, as the watch saw it;
     * {@code endMicros} (and the subsegment it went to, {@code before}) override when known.
     */
    private void closeGap(long endMicros, String before) {
        long gapStart = gapStartMicros;
        String after = gapAfter;
        gapAfter = null;
        Entity left = gapAfterEntity;
        gapAfterEntity = null;
        Entity in = gapIn;
        long start = Math.max(Math.max(gapStart, explainedUntilMicros), left == null ? 0L : left.endMicros());
        List<Run> taken = takeRuns();
        gapStartMicros = 0L;
        if (gapStart == 0L) {
            return;
        }
        lastClosedStartMicros = Math.max(lastClosedStartMicros, gapStart);
        if (taken.isEmpty()) {
            taken.add(new Run(NOT_SAMPLED, start)); // still time the trace must show; long only on a busy machine
        }
        long end = endMicros;
        boolean endedByWork = false;
        if (end == 0L) {
            // The thread went to work when the stretch ended. If it went idle and busy again before this sampler
            // looked, that moment is lost: the stretch ends where a sample last saw the thread idle in it, before
            // the work began, never over it (a short failed action between two samples).
            long busy = watch.busyAfter(gapStart);
            endedByWork = busy > gapStart;
            end = endedByWork ? busy : Math.max(gapStart, lastSampleMicros);
        }
        send(start, end, after, endedByWork ? watch.lastEntered() : before, taken, in);
    }

    private List<Run> takeRuns() {
        List<Run> taken = new ArrayList<>(runs);
        runs.clear();
        return taken;
    }

    /** Consecutive samples of one name: where they were, how (thread states), and the last one's top frames. */
    static final class Run {
        final String name;
        long startMicros;
        long endMicros;
        int samples;
        /** Frames (compared as frames: made text only when sent) and how many samples each named. */
        final Map<Object, int[]> places = new HashMap<>();
        final Map<String, int[]> states = new HashMap<>();
        final Map<Object, int[]> sparkCalls = new HashMap<>();
        /** Samples taken of another thread while the watched one waited for it, by thread, and how it waited. */
        final Map<Object, int[]> helperThreads = new HashMap<>();
        final Map<Object, int[]> waitedAs = new HashMap<>();
        /** The last sample's stack: its top frames go into the metadata. */
        StackTraceElement[] lastStack = new StackTraceElement[0];

        Run(String name, long startMicros) {
            this.name = name;
            this.startMicros = startMicros;
        }

        void add(SampleNames.Named named, Sample sample) {
            samples++;
            if (named.place != null) {
                countBounded(places, named.place);
            }
            if (named.sparkCall != null) {
                countBounded(sparkCalls, named.sparkCall);
            }
            count(states, sample.state.name());
            lastStack = sample.stack;
        }

        /** The last sample added was of {@code thread}, while the watched thread waited as {@code waited}. */
        void helped(String thread, String waited) {
            countBounded(helperThreads, thread);
            countBounded(waitedAs, waited);
        }

        /** Takes the next run in: its time and samples; the name of the one with more samples stays. */
        Run absorb(Run next) {
            Run kept = new Run(next.samples > samples ? next.name : name, startMicros);
            kept.endMicros = next.endMicros;
            kept.samples = samples + next.samples;
            kept.lastStack = next.samples > samples ? next.lastStack : lastStack;
            for (Run r : new Run[] {this, next}) {
                merge(kept.places, r.places);
                merge(kept.states, r.states);
                merge(kept.sparkCalls, r.sparkCalls);
                merge(kept.helperThreads, r.helperThreads);
                merge(kept.waitedAs, r.waitedAs);
            }
            return kept;
        }
    }

    /**
     * The stretch {@code start..end} as its runs, each at least {@code minimumMicros} long: shorter runs join a
     * neighbour, so that the runs still cover the whole stretch, and neighbours of one name join up.
     */
    static List<Run> runsOfAtLeast(List<Run> sampled, long start, long end, long minimumMicros) {
        List<Run> timed = new ArrayList<>();
        for (int i = 0; i < sampled.size(); i++) {
            Run r = sampled.get(i);
            Run copy = new Run(r.name, i == 0 ? start : Math.max(start, Math.min(r.startMicros, end)));
            copy.samples = r.samples;
            copy.lastStack = r.lastStack;
            merge(copy.places, r.places);
            merge(copy.states, r.states);
            merge(copy.sparkCalls, r.sparkCalls);
            merge(copy.helperThreads, r.helperThreads);
            merge(copy.waitedAs, r.waitedAs);
            timed.add(copy);
        }
        for (int i = 0; i < timed.size(); i++) {
            timed.get(i).endMicros = i + 1 < timed.size() ? timed.get(i + 1).startMicros : end;
        }
        boolean merged = true;
        while (merged && timed.size() > 1) {
            merged = false;
            // The shortest run joins first, so a long run is never named after a blip beside it.
            int shortest = -1;
            for (int i = 0; i < timed.size(); i++) {
                Run r = timed.get(i);
                if (i + 1 < timed.size() && timed.get(i + 1).name.equals(r.name)) {
                    timed.set(i, r.absorb(timed.get(i + 1)));
                    timed.remove(i + 1);
                    merged = true;
                    break;
                }
                long length = r.endMicros - r.startMicros;
                if (length < minimumMicros && (shortest < 0
                        || length < timed.get(shortest).endMicros - timed.get(shortest).startMicros)) {
                    shortest = i;
                }
            }
            if (!merged && shortest >= 0) {
                int into = joinTarget(timed, shortest);
                int first = Math.min(into, shortest);
                timed.set(first, timed.get(first).absorb(timed.get(first + 1)));
                timed.remove(first + 1);
                merged = true;
            }
        }
        return timed;
    }

    /** The neighbour a short run joins: the one with more samples (the previous on a tie), or the only one. */
    private static int joinTarget(List<Run> runs, int i) {
        if (i == 0) {
            return 1;
        }
        if (i == runs.size() - 1) {
            return i - 1;
        }
        return runs.get(i + 1).samples > runs.get(i - 1).samples ? i + 1 : i - 1;
    }

    /** Each run of the stretch becomes a subsegment of the root, within the budget; the first and last name their neighbours. */
    private void send(long start, long end, String after, String before, List<Run> taken, Entity in) {
        Entity parent = in == null ? tracer.root() : in;
        if (end - start < MIN_RUN_MICROS || taken.isEmpty()) {
            return;
        }
        List<Run> timed = runsOfAtLeast(taken, start, end, MIN_RUN_MICROS);
        for (int i = 0; i < timed.size(); i++) {
            Run run = timed.get(i);
            if (sent >= MAX_SUBSEGMENTS || tracer.budget().isShort()) {
                summarized++;
                summarizedMicros += run.endMicros - run.startMicros;
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("stretches", summarized);
                summary.put("seconds", summarizedMicros / 1000 / 1000.0);
                tracer.root().putMetadata(NAMESPACE, "summarized_beyond_budget", summary);
                continue;
            }
            sent++;
            Subsegment gap = tracer.beginChild(parent, run.name);
            gap.setKind(Kind.SAMPLE);
            gap.setStartMicros(run.startMicros);
            if (i == 0 && after != null) {
                gap.putMetadata(NAMESPACE, "after", after);
            }
            if (i == timed.size() - 1 && before != null) {
                gap.putMetadata(NAMESPACE, "before", before);
            }
            gap.putMetadata(NAMESPACE, "samples", run.samples);
            gap.putMetadata(NAMESPACE, "sample_interval_ms", sampleMillis);
            if (!run.places.isEmpty()) {
                gap.putMetadata(NAMESPACE, "places", mostFrequent(run.places, SHOWN_PLACES));
            }
            if (!run.sparkCalls.isEmpty()) {
                gap.putMetadata(NAMESPACE, "spark_calls", mostFrequent(run.sparkCalls, SHOWN_PLACES));
            }
            if (!run.helperThreads.isEmpty()) {
                // Samples of the threads the watched one waited for, and how it waited (the stack is theirs).
                gap.putMetadata(NAMESPACE, "other_threads", mostFrequent(run.helperThreads, SHOWN_PLACES));
                gap.putMetadata(NAMESPACE, "waited_as", mostFrequent(run.waitedAs, SHOWN_PLACES));
            }
            gap.putMetadata(NAMESPACE, "thread_states", mostFrequent(run.states, run.states.size()));
            List<String> top = new ArrayList<>();
            for (int f = 0; f < Math.min(TOP_FRAMES, run.lastStack.length); f++) {
                top.add(SampleNames.frame(run.lastStack[f]));
            }
            gap.putMetadata(NAMESPACE, "top_frames", top);
            gap.setEndMicros(run.endMicros);
            tracer.end(gap);
        }
    }

    private static void countBounded(Map<Object, int[]> counts, Object key) {
        count(counts, counts.size() >= MAX_PLACES && !counts.containsKey(key) ? OTHER_PLACES : key);
    }

    private static <K> void count(Map<K, int[]> counts, K key) {
        int[] n = counts.get(key);
        if (n == null) {
            counts.put(key, new int[] {1});
        } else {
            n[0]++;
        }
    }

    private static <K> void merge(Map<K, int[]> into, Map<K, int[]> from) {
        for (Map.Entry<K, int[]> e : from.entrySet()) {
            int[] n = into.get(e.getKey());
            if (n == null) {
                into.put(e.getKey(), new int[] {e.getValue()[0]});
            } else {
                n[0] += e.getValue()[0];
            }
        }
    }

    private static <K> Map<String, Integer> mostFrequent(Map<K, int[]> counts, int limit) {
        List<Map.Entry<K, int[]>> entries = new ArrayList<>(counts.entrySet());
        Collections.sort(entries, (a, b) -> Integer.compare(b.getValue()[0], a.getValue()[0]));
        Map<String, Integer> top = new LinkedHashMap<>();
        for (Map.Entry<K, int[]> e : entries.subList(0, Math.min(limit, entries.size()))) {
            Object key = e.getKey();
            top.put(key instanceof StackTraceElement ? SampleNames.frame((StackTraceElement) key) : key.toString(),
                    e.getValue()[0]);
        }
        return top;
    }
}
