package dev.xraybatch.agent.bootstrap;

import java.util.concurrent.Callable;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * What the JDK module's inlined advice calls (thread hand-off, main, exit; library instrumentations go through
 * {@link HookBridge}). Kept as its own class because {@code wrap} runs on every executor submit. It lives on the bootstrap class path and uses JDK types only, so code in any class
 * loader (JDK classes included) can reach it. Until the agent sets {@link #core} every call is a no-op, and no
 * call ever throws into the job.
 */
public final class XRayBridge {
    /** The agent's side of the bridge. */
    public interface Core {
        /** A subsegment under the current context: what the ITs' jobs open by reflection (no pointcut needed). */
        Object begin(String name);

        void end(Object span, Throwable error);

        /** The current context to hand to another thread, never null once the agent runs. */
        Object capture();

        /** Makes a context current; returns the previous one for {@link #detach}. */
        Object attach(Object context);

        void detach(Object previous);

        void mainStarted(Class<?> mainClass);

        void mainEnded(Throwable thrown);

        void exitRequested(int status);

        /** A thread is about to die of an exception nothing caught. */
        void uncaughtException(Thread thread, Throwable thrown);

        /** The JVM's last non-daemon thread has ended: it shuts down. */
        void lastThreadEnded();
    }

    private static volatile Core core;

    private XRayBridge() {
    }

    public static void install(Core implementation) {
        core = implementation;
    }

    public static boolean active() {
        return core != null;
    }

    /**
     * Not called by any advice: the agent-tests' jobs ({@code Spans}) open subsegments through these, found by
     * reflection in the boot loader, so that they test the core without pointcuts or a library.
     */
    public static Object begin(String name) {
        Core c = core;
        if (c == null) {
            return null;
        }
        try {
            return c.begin(name);
        } catch (Throwable t) {
            return null;
        }
    }

    public static void end(Object span, Throwable error) {
        Core c = core;
        if (c == null || span == null) {
            return;
        }
        try {
            c.end(span, error);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    public static Object capture() {
        Core c = core;
        if (c == null) {
            return null;
        }
        try {
            return c.capture();
        } catch (Throwable t) {
            return null;
        }
    }

    public static Object attach(Object context) {
        Core c = core;
        if (c == null || context == null) {
            return null;
        }
        try {
            return c.attach(context);
        } catch (Throwable t) {
            return null;
        }
    }

    public static void detach(Object previous) {
        Core c = core;
        if (c == null) {
            return;
        }
        try {
            c.detach(previous);
        } catch (Throwable ignored) {
            // never into the job
        }
    }

    public static void mainStarted(Class<?> mainClass) {
        Core c = core;
        if (c != null) {
            try {
                c.mainStarted(mainClass);
            } catch (Throwable ignored) {
                // never into the job
            }
        }
    }

    public static void mainEnded(Throwable thrown) {
        Core c = core;
        if (c != null) {
            try {
                c.mainEnded(thrown);
            } catch (Throwable ignored) {
                // never into the job
            }
        }
    }

    public static void exitRequested(int status) {
        Core c = core;
        if (c != null) {
            try {
                c.exitRequested(status);
            } catch (Throwable ignored) {
                // never into the job
            }
        }
    }

    public static void uncaughtException(Thread thread, Throwable thrown) {
        Core c = core;
        if (c != null) {
            try {
                c.uncaughtException(thread, thrown);
            } catch (Throwable ignored) {
                // never into the job
            }
        }
    }

    public static void lastThreadEnded() {
        Core c = core;
        if (c != null) {
            try {
                c.lastThreadEnded();
            } catch (Throwable ignored) {
                // never into the job
            }
        }
    }

    /**
     * A task handed to an executor, carrying the context of the code that handed it over. Tasks are wrapped even
     * when that context is the root: a pool thread may have been started under some subsegment, and an unwrapped
     * task would wrongly inherit it. Left alone: tasks already wrapped, and tasks whose type the executor relies on
     * (Comparable tasks in priority queues).
     */
    public static Runnable wrap(Runnable task, Object executor) {
        Core c = core;
        if (c == null || task == null || task instanceof TracedRunnable || task instanceof TracedFuture
                || task instanceof Comparable) {
            return task;
        }
        try {
            if (executor instanceof ThreadPoolExecutor
                    && ((ThreadPoolExecutor) executor).getQueue() instanceof PriorityBlockingQueue) {
                return task;
            }
            Object context = c.capture();
            if (context == null) {
                return task;
            }
            // afterExecute(r, t) overrides often test `r instanceof Future`: keep that true.
            if (task instanceof RunnableFuture) {
                return new TracedFuture<>((RunnableFuture<?>) task, context);
            }
            return new TracedRunnable(task, context);
        } catch (Throwable t) {
            return task;
        }
    }

    /**
     * The action of a {@code CompletableFuture} stage being attached ({@code thenApply}, {@code whenComplete}...):
     * it will run in the context of the code attaching it, whichever thread completes the future.
     */
    public static Object wrapStage(Object action) {
        Core c = core;
        if (c == null || action == null || TracedStage.isWrapped(action)) {
            return action;
        }
        try {
            Object context = c.capture();
            return context == null ? action : TracedStage.wrap(action, context);
        } catch (Throwable t) {
            return action;
        }
    }

    public static <V> Callable<V> wrap(Callable<V> task) {
        Core c = core;
        if (c == null || task == null || task instanceof TracedCallable) {
            return task;
        }
        try {
            Object context = c.capture();
            return context == null ? task : new TracedCallable<>(task, context);
        } catch (Throwable t) {
            return task;
        }
    }
}
