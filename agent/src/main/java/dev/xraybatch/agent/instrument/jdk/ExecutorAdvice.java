package dev.xraybatch.agent.instrument.jdk;

import dev.xraybatch.agent.bootstrap.XRayBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

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

    /** {@code CompletableFuture}'s {@code uni*Stage(Executor, action)}: the action runs in the attacher's context. */
    static final class WrapStageAction1 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(value = 1, readOnly = false, typing = Assigner.Typing.DYNAMIC)
                          Object action) {
            action = XRayBridge.wrapStage(action);
        }
    }

    /** {@code CompletableFuture}'s {@code bi*Stage} and {@code or*Stage(Executor, other, action)}. */
    static final class WrapStageAction2 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(value = 2, readOnly = false, typing = Assigner.Typing.DYNAMIC)
                          Object action) {
            action = XRayBridge.wrapStage(action);
        }
    }

    static final class WrapCallable {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(value = 0, readOnly = false) Callable<?> task) {
            task = XRayBridge.wrap(task);
        }
    }
}
