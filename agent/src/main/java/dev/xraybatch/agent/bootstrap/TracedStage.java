package dev.xraybatch.agent.bootstrap;

import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The action of a {@code CompletableFuture} stage ({@code thenApply}, {@code whenComplete}, {@code thenCompose}...),
 * run in the trace context of the code that attached the stage. Without it the action runs in the context of
 * whichever thread completes the future (an SDK's I/O thread, whatever it was started under), which is timing.
 * One class per functional type the stage methods take: {@code Function} and {@code BiFunction} cannot share one
 * (their {@code andThen} clash).
 */
public final class TracedStage {
    private TracedStage() {
    }

    /** {@code action} wrapped as the functional type it is, or itself when it is none of them (or null). */
    static Object wrap(Object action, Object context) {
        if (action instanceof Function) {
            return new OfFunction((Function<?, ?>) action, context);
        }
        if (action instanceof BiFunction) {
            return new OfBiFunction((BiFunction<?, ?, ?>) action, context);
        }
        if (action instanceof Consumer) {
            return new OfConsumer((Consumer<?>) action, context);
        }
        if (action instanceof BiConsumer) {
            return new OfBiConsumer((BiConsumer<?, ?>) action, context);
        }
        if (action instanceof Runnable) {
            return new TracedRunnable((Runnable) action, context);
        }
        return action;
    }

    static boolean isWrapped(Object action) {
        return action instanceof OfFunction || action instanceof OfBiFunction || action instanceof OfConsumer
                || action instanceof OfBiConsumer || action instanceof TracedRunnable;
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    static final class OfFunction implements Function {
        private final Function action;
        private final Object context;

        OfFunction(Function action, Object context) {
            this.action = action;
            this.context = context;
        }

        @Override
        public Object apply(Object t) {
            Object previous = XRayBridge.attach(context);
            try {
                return action.apply(t);
            } finally {
                XRayBridge.detach(previous);
            }
        }
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    static final class OfBiFunction implements BiFunction {
        private final BiFunction action;
        private final Object context;

        OfBiFunction(BiFunction action, Object context) {
            this.action = action;
            this.context = context;
        }

        @Override
        public Object apply(Object t, Object u) {
            Object previous = XRayBridge.attach(context);
            try {
                return action.apply(t, u);
            } finally {
                XRayBridge.detach(previous);
            }
        }
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    static final class OfConsumer implements Consumer {
        private final Consumer action;
        private final Object context;

        OfConsumer(Consumer action, Object context) {
            this.action = action;
            this.context = context;
        }

        @Override
        public void accept(Object t) {
            Object previous = XRayBridge.attach(context);
            try {
                action.accept(t);
            } finally {
                XRayBridge.detach(previous);
            }
        }
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    static final class OfBiConsumer implements BiConsumer {
        private final BiConsumer action;
        private final Object context;

        OfBiConsumer(BiConsumer action, Object context) {
            this.action = action;
            this.context = context;
        }

        @Override
        public void accept(Object t, Object u) {
            Object previous = XRayBridge.attach(context);
            try {
                action.accept(t, u);
            } finally {
                XRayBridge.detach(previous);
            }
        }
    }
}
