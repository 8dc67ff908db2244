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

    /** Reads the clock only when the thread goes from busy to idle or back, not for nested subsegments. */
    void changed(boolean idle) {
        if (idle) {
            if (idleSinceMicros == 0L) {
                idleSinceMicros = Clock.nowMicros();
            }
        } else if (idleSinceMicros != 0L) {
            busySinceMicros = Clock.nowMicros();
            idleSinceMicros = 0L;
        }
    }
}
