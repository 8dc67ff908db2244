package dev.xraybatch.agent.trace;

/**
 * When one thread (a Spark driver's main thread) is outside every subsegment: the tracer updates it as that
 * thread's current entity changes, and a sampler reads it to explain the time in between. Only that thread
 * writes it.
 */
public final class IdleWatch {
    final Thread thread;
    /** Since when the thread has worked for no subsegment; 0 while it works for one. */
    private volatile long idleSinceMicros;
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
     * A subsegment made once its time had passed (a pool's {@code connection wait}, known when the connection
     * came) covered {@code from..to} of time the thread spent in no subsegment, as the watch saw it: a sampler must
     * not explain that time a second time.
     */
    public interface Covered {
        void explained(long fromMicros, long toMicros, String by);
    }

    public IdleWatch(Thread thread, long idleSinceMicros) {
        this.thread = thread;
        this.idleSinceMicros = idleSinceMicros;
    }

    public Thread thread() {
        return thread;
    }

    public long idleSinceMicros() {
        return idleSinceMicros;
    }

    public void onCovered(Covered listener) {
        this.covered = listener;
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
     * Reads the clock only when the thread goes from busy to idle or back, not for nested subsegments.
     * {@code subsegment} is the one it goes to work for, or the one it leaves to go idle.
     */
    void changed(boolean idle, Entity subsegment) {
        if (idle) {
            if (idleSinceMicros == 0L) {
                idleSinceMicros = Clock.nowMicros();
                lastLeft = subsegment;
            }
        } else if (idleSinceMicros != 0L) {
            long now = Clock.nowMicros();
            if (subsegment != null && subsegment.startMicros > idleSinceMicros && subsegment.startMicros < now) {
                now = subsegment.startMicros; // the work began when its subsegment did, a few microseconds ago
            }
            lastEnded = new long[] {idleSinceMicros, now};
            idleSinceMicros = 0L;
            lastEntered = subsegment;
        }
    }
}
