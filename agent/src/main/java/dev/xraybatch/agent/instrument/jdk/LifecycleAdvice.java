package dev.xraybatch.agent.instrument.jdk;

import dev.xraybatch.agent.bootstrap.XRayBridge;
import net.bytebuddy.asm.Advice;

/** Inlined into the job's main method and {@code Runtime.exit}: how the job ended, for the root segment. */
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

    static final class Exit {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) int status) {
            XRayBridge.exitRequested(status);
        }
    }
}
