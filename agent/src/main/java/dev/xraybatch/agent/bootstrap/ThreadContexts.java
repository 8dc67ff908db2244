package dev.xraybatch.agent.bootstrap;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * The context a thread was started in ({@code Thread.start}), picked up when it runs ({@code Thread.run}). Weak:
 * a thread that never runs pins nothing.
 */
public final class ThreadContexts {
    private static final Map<Thread, Object> STARTED = new WeakHashMap<>();

    private ThreadContexts() {
    }

    public static void started(Thread thread) {
        if (!XRayBridge.active()) {
            return;
        }
        Object context = XRayBridge.capture();
        if (context != null) {
            synchronized (STARTED) {
                STARTED.put(thread, context);
            }
        }
    }

    /** The context the current thread was started in, once; null when none. */
    public static Object takeForCurrentThread() {
        if (!XRayBridge.active()) {
            return null;
        }
        synchronized (STARTED) {
            return STARTED.remove(Thread.currentThread());
        }
    }
}
