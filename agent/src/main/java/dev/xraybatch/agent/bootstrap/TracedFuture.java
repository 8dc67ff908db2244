package dev.xraybatch.agent.bootstrap;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link RunnableFuture} (what {@code submit} hands to {@code execute}) that runs in the trace context of the
 * code that submitted it, and is still a Future to code that inspects the executor's tasks.
 */
public final class TracedFuture<V> implements RunnableFuture<V> {
    private final RunnableFuture<V> task;
    private final Object context;

    TracedFuture(RunnableFuture<V> task, Object context) {
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

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return task.cancel(mayInterruptIfRunning);
    }

    @Override
    public boolean isCancelled() {
        return task.isCancelled();
    }

    @Override
    public boolean isDone() {
        return task.isDone();
    }

    @Override
    public V get() throws InterruptedException, ExecutionException {
        return task.get();
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return task.get(timeout, unit);
    }

    public RunnableFuture<V> unwrap() {
        return task;
    }

    @Override
    public String toString() {
        return task.toString();
    }
}
