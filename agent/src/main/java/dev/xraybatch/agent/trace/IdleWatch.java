package dev.xraybatch.agent.trace;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When one thread (a Spark driver's main thread) is outside every subsegment: the tracer updates it as that
 * thread's current entity changes, and a sampler reads it to explain the time in between. Only that thread
 * writes it, except the set of threads doing work it handed off, which they join and leave themselves.
 */
public final class IdleWatch {
    /** Ended stretches kept for a reader at most: a reader away that long has lost the oldest ones. */
    static final int MAX_KEPT = 256;
    final Thread thread;
    /** Since when the thread has worked for no subsegment; 0 while it works for one. */
    private volatile long idleSinceMicros;
    /** Where it is idle: the root, or a phase sampled inside; written before {@link #idleSinceMicros}. */
    private volatile Entity idleIn;
    /** The subsegment the thread last left to go idle, and the one it last went to work for: a gap's neighbours. */
    private volatile Entity lastLeft;
    private volatile Entity lastEntered;
    /**
     * The idle stretch that ended last: {@code {idleSince, busyAt}} in one object, so that a reader sees the start
     * and the end of the same stretch even while the thread goes on changing.
     */
    private volatile long[] lastEnded;

    /** Told of subsegments recorded after the fact over the thread's idle time; null: nobody listens. */
    private volatile Covered covered;

    /**
     * Idle stretches of at least {@link #keepMicros} that ended, with their exact bounds, until a reader takes them:
     * a sampler that was not scheduled for a while (a busy machine) would otherwise never see a stretch that began
     * and ended between two of its looks, or know where one it saw ended once the thread had moved on twice.
     * Kept only for stretches that long, so a thread that goes in and out of short calls pays nothing.
     */
    private final ArrayDeque<Stretch> ended = new ArrayDeque<Stretch>();
    private volatile long keepMicros;
    private long endedLost;

    /** An idle stretch that ended: {@code idleSince..busyAt} in {@code in}, and the subsegments on either side. */
    public static final class Stretch {
        public final long idleSinceMicros;
        public final long busyAtMicros;
        public final Entity left;
        public final Entity entered;
        /** What it belongs under: the root, or a phase sampled inside; null when not known (a test's watch). */
        public final Entity in;

        Stretch(long idleSinceMicros, long busyAtMicros, Entity left, Entity entered, Entity in) {
            this.idleSinceMicros = idleSinceMicros;
            this.busyAtMicros = busyAtMicros;
            this.left = left;
            this.entered = entered;
            this.in = in;
        }
    }

    /**
     * A subsegment made once its time had passed (a pool's {@code connection wait}, known when the connection
     * came) covered {@code from..to} of time the thread spent in no subsegment, as the watch saw it: a sampler must
     * not explain that time a second time.
     */
    public interface Covered {
        void explained(long fromMicros, long toMicros, String by);
    }

    /**
     * Threads running work this thread handed off while idle (a task it submitted, a thread it started, in the
     * root's or a sampled phase's context): while it waits, what they run is where its time goes.
     */
    private final Set<Thread> helpers = Collections.newSetFromMap(new ConcurrentHashMap<Thread, Boolean>());

    public IdleWatch(Thread thread, long idleSinceMicros) {
        this.thread = thread;
        this.idleSinceMicros = idleSinceMicros;
    }

    public Thread thread() {
        return thread;
    }

    /** The current thread began work this thread handed off while idle. */
    void helperBegan() {
        helpers.add(Thread.currentThread());
    }

    /** The current thread is done with such work (no-op when it had none: a pool's thread between tasks). */
    void helperEnded() {
        if (!helpers.isEmpty()) {
            helpers.remove(Thread.currentThread());
        }
    }

    /** The threads running work this thread handed off while idle, now (at most {@code limit}, oldest threads first). */
    public List<Thread> helpers(int limit) {
        if (helpers.isEmpty()) {
            return Collections.emptyList();
        }
        List<Thread> now = new ArrayList<Thread>(helpers.size());
        for (Thread helper : helpers) {
            if (helper.isAlive()) {
                now.add(helper);
            } else {
                helpers.remove(helper); // ended without leaving (a context never detached): not kept for ever
            }
        }
        Collections.sort(now, new java.util.Comparator<Thread>() {
            @Override
            public int compare(Thread a, Thread b) {
                return Long.compare(a.getId(), b.getId());
            }
        });
        return now.size() > limit ? now.subList(0, limit) : now;
    }

    public long idleSinceMicros() {
        return idleSinceMicros;
    }

    /**
     * What the thread is idle in, or was last: the root, or a phase sampled inside (a Spring Batch step); null
     * until known. Read after {@link #idleSinceMicros()}, it belongs to that stretch or a later one.
     */
    public Entity idleIn() {
        return idleIn;
    }

    public void onCovered(Covered listener) {
        this.covered = listener;
    }

    /** Where the thread is idle until it first changes: the root it was watched from. */
    void startsIn(Entity root) {
        if (idleIn == null) {
            idleIn = root;
        }
    }

    /** From now on, idle stretches of {@code micros} or more are kept for {@link #takeEnded()}. */
    public void keepStretchesOf(long micros) {
        keepMicros = micros;
    }

    /** The stretches kept since the last call, oldest first. */
    public List<Stretch> takeEnded() {
        synchronized (ended) {
            if (ended.isEmpty()) {
                return Collections.emptyList();
            }
            List<Stretch> taken = new ArrayList<Stretch>(ended);
            ended.clear();
            return taken;
        }
    }

    /** Stretches that were not kept because nobody took them in time (the bound was reached). */
    public long endedLost() {
        synchronized (ended) {
            return endedLost;
        }
    }

    void covered(long fromMicros, long toMicros, String by) {
        Covered listener = covered;
        if (listener != null) {
            listener.explained(fromMicros, toMicros, by);
        }
    }

    /**
     * When the idle stretch that began at {@code idleSince} ended (the thread went to work for a subsegment), or 0
     * when that is not known: the stretch has not ended, or the thread has since been idle and busy again, so a
     * reader that missed those changes knows only that the stretch ended before it last saw the thread idle in it.
     */
    public long busyAfter(long idleSince) {
        long[] ended = lastEnded;
        return ended != null && ended[0] == idleSince ? ended[1] : 0L;
    }

    /**
     * The subsegment the thread worked for before it last went idle; null if none. Its end can move later than the
     * moment the thread left it (an action Spark's listener ends when its job ends): a stretch starts after it.
     */
    public Entity lastLeftEntity() {
        return lastLeft;
    }

    /** The name of the subsegment the thread worked for before it last went idle; null if none. */
    public String lastLeft() {
        Entity e = lastLeft;
        return e == null ? null : e.name();
    }

    /** The name of the subsegment the thread last went to work for after being idle; null if none. */
    public String lastEntered() {
        Entity e = lastEntered;
        return e == null ? null : e.name();
    }

    /**
     * From idle in one place to idle in another: into a phase ({@code in} began just now; the stretch before it ends
     * at its start and names it), or out of a phase that ended ({@code left}; the next stretch starts after it).
     */
    private void moved(Entity left, Entity in) {
        long now = Clock.nowMicros();
        long since = idleSinceMicros;
        Entity was = idleIn;
        boolean leaving = was.isClosed();
        long boundary = leaving ? was.endMicros : in.startMicros;
        if (boundary > since && boundary < now) {
            now = boundary;
        }
        Entity entered = leaving ? null : in;
        lastEnded = new long[] {since, now};
        long keep = keepMicros;
        if (keep > 0L && now - since >= keep) {
            keep(new Stretch(since, now, lastLeft, entered, was));
        }
        lastEntered = entered;
        lastLeft = leaving ? left : null;
        idleIn = in;
        // A stretch is known by its start: the next one must not share it, even within one microsecond.
        idleSinceMicros = Math.max(now, since + 1L);
    }

    private void keep(Stretch stretch) {
        synchronized (ended) {
            if (ended.size() >= MAX_KEPT) {
                ended.removeFirst();
                endedLost++;
            }
            ended.addLast(stretch);
        }
    }

    /**
     * Reads the clock only when the thread goes from busy to idle or back, not for nested subsegments.
     * {@code subsegment} is the one it goes to work for, or the one it leaves to go idle.
     */
    void changed(boolean idle, Entity subsegment) {
        changed(idle, subsegment, null);
    }

    /**
     * As above; {@code in}: where the thread is idle now (the root, or a phase sampled inside). Moving from one
     * to another (into a phase, or out of one as it ends) ends the stretch in the one and begins one in the other.
     */
    void changed(boolean idle, Entity subsegment, Entity in) {
        if (idle) {
            if (idleSinceMicros == 0L) {
                idleIn = in;
                idleSinceMicros = Clock.nowMicros();
                lastLeft = subsegment;
            } else if (in != null && idleIn != null && in != idleIn) {
                moved(subsegment, in);
            }
        } else if (idleSinceMicros != 0L) {
            long now = Clock.nowMicros();
            if (subsegment != null && subsegment.startMicros > idleSinceMicros && subsegment.startMicros < now) {
                now = subsegment.startMicros; // the work began when its subsegment did, a few microseconds ago
            }
            lastEnded = new long[] {idleSinceMicros, now};
            long keep = keepMicros;
            if (keep > 0L && now - idleSinceMicros >= keep) {
                keep(new Stretch(idleSinceMicros, now, lastLeft, subsegment, idleIn));
            }
            idleSinceMicros = 0L;
            lastEntered = subsegment;
        }
    }
}
