package dev.xraybatch.agent.bootstrap;

import java.util.concurrent.Callable;

/** A Callable that runs in the trace context of the code that created it. */
public final class TracedCallable<V> implements Callable<V> {
    private final Callable<V> task;
    private final Object context;

    TracedCallable(Callable<V> task, Object context) {
        this.task = task;
        this.context = context;
    }

    @Override
    public V call() throws Exception {
        Object previous = XRayBridge.attach(context);
        try {
            return task.call();
        } finally {
            XRayBridge.detach(previous);
        }
    }

    @Override
    public String toString() {
        return task.toString();
    }
}
