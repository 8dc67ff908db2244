package dev.xraybatch.agent.lifecycle;

import dev.xraybatch.agent.export.ExportPipeline;
import dev.xraybatch.agent.export.ExportStats;
import dev.xraybatch.agent.lifecycle.jvm.JvmCosts;
import dev.xraybatch.agent.log.AgentLog;
import dev.xraybatch.agent.trace.Segment;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How the job ends, and the flush that follows every way it can: main returns, {@code System.exit}, an uncaught
 * exception in main, SIGTERM (AWS Batch stops a job that way) or SIGINT. A JVM shutdown hook closes the root
 * segment with the outcome and drains the export queue within the deadline; then one line says what happened.
 */
public final class JobLifecycle {
    /** How long the exit flush waits for holders (Spark's stop in Hadoop's shutdown hook takes about a second). */
    static final long HOLD_LIMIT_MILLIS = 20_000L;
    /**
     * From the JVM's shut-down (System.exit, a signal, or its last non-daemon thread's end after main) to the root's
     * end: the JVM's shut-down hooks.
     */
    static final String SHUT_DOWN = "JVM shut-down";

    private final Tracer tracer;
    private final ExportPipeline pipeline;
    private final long deadlineMillis;
    private volatile Integer exitStatus;
    private volatile Throwable mainFailure;
    /** The thread that ran main, once main ended; null before (or when main was never seen). */
    private volatile Thread mainThread;
    /** The first exception that killed a non-daemon thread other than main's, and that thread's name. */
    private volatile Throwable threadFailure;
    private volatile String threadFailureName;
    private final Object threadFailureLock = new Object();
    private volatile String signal;
    /**
     * When the job's end began: the first of main's end, System.exit, a signal and (main's end unseen) the JVM's
     * shut-down; 0 before.
     */
    private volatile long endingMicros;
    /**
     * When the JVM began to shut down: the first of System.exit, a signal and its last non-daemon thread's end; 0
     * before. Later than the job's end when threads outlive main: their work is the job's, not the shut-down's.
     */
    private volatile long shutDownMicros;
    private volatile boolean flushed;
    /** The JVM's own costs, annotated on the root as it closes; null when not reported. */
    private volatile JvmCosts jvmCosts;
    /** Sends what explains the job's last stretch (the main thread's sampled time) before the root closes. */
    private volatile Runnable onJobEnd = () -> { };
    /** Open holds on the exit flush; guarded by {@link #holds}'s monitor. */
    private final int[] holds = new int[1];

    public JobLifecycle(Tracer tracer, ExportPipeline pipeline, long deadlineMillis) {
        this.tracer = tracer;
        this.pipeline = pipeline;
        this.deadlineMillis = deadlineMillis;
    }

    public void install() {
        Thread hook = new Thread(this::flushAtExit, "xray-batch-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        observeSignal("TERM");
        observeSignal("INT");
    }

    /** The root's close annotates it with the JVM's costs (GC, JIT, class loading); null: none. */
    public void reportJvmCosts(JvmCosts costs) {
        this.jvmCosts = costs;
    }

    public void mainEnded(Throwable thrown) {
        ending();
        mainThread = Thread.currentThread();
        if (thrown != null) {
            mainFailure = thrown;
        }
    }

    /**
     * A thread dies of an exception nothing caught. Daemon threads are background work and say nothing of the job.
     * Main's own exception was seen as main ended (under Spring Boot its launcher's wrapper comes here again);
     * when main was never seen (its class unknown), the launcher's thread {@code main} dying is main failing. Any
     * other thread keeps the exit code (the JVM exits 0 when main returned), but the job failed: it becomes the
     * root's cause.
     */
    public void uncaughtException(Thread thread, Throwable thrown) {
        if (thrown == null || thread.isDaemon()) {
            return;
        }
        Thread main = mainThread;
        boolean isMain = main != null ? thread == main : "main".equals(thread.getName()) && endingMicros == 0L;
        if (isMain) {
            if (main == null) {
                mainEnded(thrown);
            }
            return;
        }
        synchronized (threadFailureLock) { // not this: the exit flush holds that while it waits
            if (threadFailure == null) {
                threadFailureName = thread.getName();
                threadFailure = thrown;
            }
        }
    }

    public void exitRequested(int status) {
        ending();
        shuttingDown();
        if (exitStatus == null) {
            exitStatus = status;
        }
    }

    /** {@code action} runs as the root is about to close, whichever way the job ended (a signal too). */
    public void onJobEnd(Runnable action) {
        onJobEnd = action;
    }

    /** The last non-daemon thread has ended (after main, without System.exit or a signal): the JVM shuts down. */
    public void lastThreadEnded() {
        shuttingDown();
    }

    /** When the job's end began (main's end, System.exit, a signal, else the JVM's shut-down); 0 while it runs. */
    public long endingMicros() {
        return endingMicros;
    }

    private void ending() {
        if (endingMicros == 0L) {
            endingMicros = Tracer.nowMicros();
        }
    }

    private void shuttingDown() {
        // Where main's end was never seen (an agent attached at run time, after main began), the JVM shutting down
        // is where the job's end began: what is cut there (a driver's sampled gaps) never overlaps the shut-down.
        ending();
        if (shutDownMicros == 0L) {
            shutDownMicros = Tracer.nowMicros();
        }
    }

    /**
     * Makes the exit flush wait (at most {@link #HOLD_LIMIT_MILLIS}) until the returned callback has run: for work
     * that other shutdown hooks finish, which JVM hooks cannot be ordered against (Spark stops its context in
     * Hadoop's hook; executors send their last summaries). Releasing twice counts once.
     */
    public Runnable holdExitFlush() {
        synchronized (holds) {
            holds[0]++;
        }
        final AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                synchronized (holds) {
                    holds[0]--;
                    holds.notifyAll();
                }
            }
        };
    }

    /** Closes the root and sends everything left; safe to call more than once (only the first call acts). */
    public synchronized void flushAtExit() {
        if (flushed) {
            return;
        }
        long began = System.nanoTime();
        awaitHolds();
        flushed = true;
        try {
            onJobEnd.run();
        } catch (Throwable t) {
            AgentLog.internalError("sending the job's last sampled stretch", t);
        }
        try {
            closeRoot();
        } catch (Throwable t) {
            AgentLog.internalError("closing the root segment", t);
        }
        ExportStats stats = pipeline.shutdown(deadlineMillis);
        AgentLog.info("trace " + tracer.traceId() + ": " + stats + " (" + pipeline.describeExporter() + ")");
        AgentLog.debug("flushed at exit in " + (System.nanoTime() - began) / 1_000_000 + " ms");
    }

    private void awaitHolds() {
        long deadline = System.nanoTime() + HOLD_LIMIT_MILLIS * 1_000_000L;
        synchronized (holds) {
            try {
                long left;
                while (holds[0] > 0 && (left = deadline - System.nanoTime()) > 0) {
                    holds.wait(Math.max(1L, left / 1_000_000L));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (holds[0] > 0) {
                AgentLog.problem("flushing at exit without waiting longer for " + holds[0]
                        + " part(s) still finishing (Spark's shutdown?) after " + HOLD_LIMIT_MILLIS / 1000 + " s");
            }
        }
    }

    private void closeRoot() {
        Segment root = tracer.root();
        JvmCosts costs = jvmCosts;
        if (costs != null) {
            try {
                costs.annotateRoot(root);
            } catch (Throwable t) {
                AgentLog.internalError("reading the JVM's costs", t);
            }
        }
        int code = exitCode();
        root.annotate("exit_code", code);
        if (signal != null) {
            root.annotate("exit_signal", signal);
        }
        Throwable failure = mainFailure;
        if (failure == null && threadFailure != null) {
            failure = threadFailure;
            root.putMetadata("xray_batch", "uncaught_exception_thread", threadFailureName);
        }
        if (failure != null) {
            root.recordException(failure, false);
        }
        if (code != 0 || failure != null) {
            root.markFault();
        }
        long now = Tracer.nowMicros();
        long ending = shutDownMicros != 0L ? shutDownMicros : endingMicros;
        if (ending > 0L && ending <= now) {
            // The shut-down hooks (Spark stops its context there) are the job's time too: the trace ends explained.
            Subsegment shutDown = tracer.beginChild(root, SHUT_DOWN);
            shutDown.setStartMicros(ending);
            shutDown.setEndMicros(now);
            tracer.end(shutDown);
        }
        tracer.closeRoot(now);
    }

    /** What the JVM's exit code is: System.exit's status, 128 + the signal, 1 after main threw, else 0. */
    private int exitCode() {
        Integer status = exitStatus;
        if (status != null) {
            return status;
        }
        if ("TERM".equals(signal)) {
            return 143;
        }
        if ("INT".equals(signal)) {
            return 130;
        }
        return mainFailure != null ? 1 : 0;
    }

    /**
     * Notes that a signal arrived, then hands it to the JVM's own handler, which runs the shutdown hooks. Through
     * reflection: {@code sun.misc.Signal} is not in Java 8's public API, and may be missing on some JVMs.
     */
    private void observeSignal(final String name) {
        try {
            final Class<?> signalType = Class.forName("sun.misc.Signal");
            final Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            final Method handle = signalType.getMethod("handle", signalType, handlerType);
            final Method handlerHandle = handlerType.getMethod("handle", signalType);
            Object sig = signalType.getConstructor(String.class).newInstance(name);
            final Object[] previous = new Object[1];
            Object ours = Proxy.newProxyInstance(JobLifecycle.class.getClassLoader(), new Class<?>[]{handlerType},
                    new InvocationHandler() {
                        @Override
                        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                            if (!"handle".equals(method.getName())) {
                                return method.invoke(this, args);
                            }
                            if (signal == null) {
                                signal = name;
                            }
                            ending();
                            shuttingDown();
                            return handlerHandle.invoke(previous[0], args[0]);
                        }
                    });
            previous[0] = handle.invoke(null, sig, ours);
            // A native handler (SIG_DFL/SIG_IGN, -Xrs) cannot be chained from Java: give it back untouched.
            if (previous[0] == null || previous[0].getClass().getName().contains("NativeSignalHandler")) {
                handle.invoke(null, sig, previous[0]);
            }
        } catch (Throwable t) {
            AgentLog.debug("cannot observe SIG" + name + " (" + t + "); the exit code will not name it");
        }
    }
}
