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
    /** When the thread last started working for a subsegment. */
    private volatile long busySinceMicros;
    /** The subsegment the thread last left to go idle, and the one it last went to work for: a gap's neighbours. */
    private volatile Entity lastLeft;
    private volatile Entity lastEntered;

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

    public long busySinceMicros() {
        return busySinceMicros;
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
            busySinceMicros = Clock.nowMicros();
            idleSinceMicros = 0L;
            lastEntered = subsegment;
        }
    }
}
