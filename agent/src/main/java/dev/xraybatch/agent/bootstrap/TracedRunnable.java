package dev.xraybatch.agent.bootstrap;

/** A Runnable that runs in the trace context of the code that created it. */
public final class TracedRunnable implements Runnable {
    private final Runnable task;
    private final Object context;

    TracedRunnable(Runnable task, Object context) {
        this.task = task;
        this.context = context;
    }

    @Override
    public void run() {
        Object previous = XRayBridge.attach(context);
        try {
            task.run();
        } finally {
            XRayBridge.detach(previous);
        }
    }

    /** The application's own task, for code that looks for it. */
    public Runnable unwrap() {
        return task;
    }

    @Override
    public String toString() {
        return task.toString();
    }
}
