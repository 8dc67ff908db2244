package dev.xraybatch.agent.instrument.jdk;

import dev.xraybatch.agent.bootstrap.ThreadContexts;
import dev.xraybatch.agent.bootstrap.XRayBridge;
import net.bytebuddy.asm.Advice;

/** Inlined into {@code java.lang.Thread}: a new thread runs in the context of the code that started it. */
final class ThreadAdvice {
    private ThreadAdvice() {
    }

    static final class Start {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Thread thread) {
            ThreadContexts.started(thread);
        }
    }

    static final class Run {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter() {
            return XRayBridge.attach(ThreadContexts.takeForCurrentThread());
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object previous) {
            XRayBridge.detach(previous);
        }
    }
}
