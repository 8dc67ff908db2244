package dev.xraybatch.agent.instrument.jdk;

import dev.xraybatch.agent.bootstrap.XRayBridge;
import net.bytebuddy.asm.Advice;

import java.util.concurrent.Callable;

/** Inlined into executors: the task handed over carries the submitter's trace context. */
final class ExecutorAdvice {
    private ExecutorAdvice() {
    }

    static final class WrapRunnable {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task, @Advice.This Object executor) {
            task = XRayBridge.wrap(task, executor);
        }
    }

    static final class WrapCallable {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(value = 0, readOnly = false) Callable<?> task) {
            task = XRayBridge.wrap(task);
        }
    }
}
