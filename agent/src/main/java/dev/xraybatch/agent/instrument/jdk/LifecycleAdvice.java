package dev.xraybatch.agent.instrument.jdk;

import dev.xraybatch.agent.bootstrap.XRayBridge;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into the job's main class (its static initialiser and main method), {@code Runtime.exit},
 * {@code Thread.dispatchUncaughtException} and {@code Shutdown.shutdown}: how the job ended, for the root segment.
 */
final class LifecycleAdvice {
    private LifecycleAdvice() {
    }

    static final class Main {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Origin Class<?> mainClass) {
            XRayBridge.mainStarted(mainClass);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Thrown Throwable thrown) {
            XRayBridge.mainEnded(thrown);
        }
    }

    /**
     * The main class's static initialiser: the job's own code begins there, and when it throws, main never runs.
     * The launcher then reports the failure itself and exits 1, without any uncaught-exception handler.
     */
    static final class MainClassInit {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Origin Class<?> mainClass) {
            XRayBridge.mainStarted(mainClass);
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                // What the JVM throws in its place: errors as they are, anything else wrapped.
                XRayBridge.mainEnded(thrown instanceof Error ? thrown : new ExceptionInInitializerError(thrown));
            }
        }
    }

    /** The JVM hands every thread's uncaught exception to this method, whatever handler the thread has. */
    static final class Uncaught {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Thread thread, @Advice.Argument(0) Throwable thrown) {
            XRayBridge.uncaughtException(thread, thrown);
        }
    }

    /**
     * {@code java.lang.Shutdown.shutdown()}: the JVM calls it when its last non-daemon thread has ended after main
     * (not after {@code System.exit} or a signal), before any shutdown hook runs.
     */
    static final class LastThreadEnded {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter() {
            XRayBridge.lastThreadEnded();
        }
    }

    static final class Exit {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) int status) {
            XRayBridge.exitRequested(status);
        }
    }
}
