package dev.xraybatch.agenttests.core.jobs;

import java.lang.reflect.Method;
import java.util.concurrent.Callable;

/**
 * Opens subsegments the way instrumented code does: through the agent's bootstrap bridge. The core tests need
 * subsegments without depending on pointcuts or the AWS SDK; the bridge is found in the boot loader (where the
 * agent put it), so a job without the agent simply runs untraced.
 */
public final class Spans {
    private static final Method BEGIN;
    private static final Method END;

    static {
        Method begin = null;
        Method end = null;
        try {
            Class<?> bridge = Class.forName("dev.xraybatch.agent.bootstrap.XRayBridge", true, null);
            begin = bridge.getMethod("begin", String.class);
            end = bridge.getMethod("end", Object.class, Throwable.class);
        } catch (ReflectiveOperationException noAgent) {
            // untraced run
        }
        BEGIN = begin;
        END = end;
    }

    private Spans() {
    }

    public static <T> T in(String name, Callable<T> work) throws Exception {
        Object span = BEGIN == null ? null : BEGIN.invoke(null, name);
        Throwable failure = null;
        try {
            return work.call();
        } catch (Exception | Error e) {
            failure = e;
            throw e;
        } finally {
            if (END != null) {
                END.invoke(null, span, failure);
            }
        }
    }

    /** For lambdas that must return a value and may not throw checked exceptions. */
    public static String in0(String name) {
        run(name, () -> ReturningJob.sleep(2));
        return name;
    }

    public static void run(String name, Runnable work) {
        try {
            in(name, () -> {
                work.run();
                return null;
            });
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
