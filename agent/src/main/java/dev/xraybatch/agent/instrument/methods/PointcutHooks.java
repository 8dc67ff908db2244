package dev.xraybatch.agent.instrument.methods;

import dev.xraybatch.agent.config.pointcut.NameTemplate;
import dev.xraybatch.agent.instrument.hook.Hook;
import dev.xraybatch.agent.instrument.hook.HookSite;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hook of all pointcut methods (each site's detail is its {@link CallSite}): turns a call into a subsegment through
 * {@link Tracer#beginLimited}, so that past the pointcut's limit a call is only counted into a summary. Calls
 * past the limit skip the value captures: they are the hot ones, and they have no document of their own.
 */
final class PointcutHooks implements Hook {
    static final String METADATA_NAMESPACE = "default";

    /**
     * Set while this thread reads values (getters, toString): a traced method called from there must not open
     * subsegments of its own. The counter spares every other call the thread-local look-up.
     */
    private static final ThreadLocal<boolean[]> CAPTURING = new ThreadLocal<boolean[]>() {
        @Override
        protected boolean[] initialValue() {
            return new boolean[1];
        }
    };
    private static final AtomicInteger CAPTURING_THREADS = new AtomicInteger();

    @Override
    public Object enter(HookSite hookSite, Object self, Object[] arguments) {
        Tracer tracer = Tracer.get();
        CallSite site = (CallSite) hookSite.detail();
        if (tracer == null || site == null || (CAPTURING_THREADS.get() != 0 && CAPTURING.get()[0])) {
            return null;
        }
        if (site.fixedName != null && site.atEntry.isEmpty()) {
            return tracer.beginLimited(site.fixedName, site.limit);
        }
        boolean[] capturing = startCapture();
        try {
            String name = site.fixedName != null ? site.fixedName : name(site, self, arguments);
            Subsegment subsegment = tracer.beginLimited(site.limitKey, name, site.limit);
            if (!subsegment.isSummarizedCall()) {
                for (CallSite.Capture capture : site.atEntry) {
                    record(subsegment, capture, ValueReader.read(capture.path, self, arguments, null));
                }
            }
            return subsegment;
        } finally {
            endCapture(capturing);
        }
    }

    @Override
    public void exit(HookSite hookSite, Object token, Object subject, Object returned, Throwable thrown) {
        Tracer tracer = Tracer.get();
        CallSite site = (CallSite) hookSite.detail();
        if (tracer == null || site == null || !(token instanceof Subsegment)) {
            return;
        }
        Subsegment subsegment = (Subsegment) token;
        if (!site.atExit.isEmpty() && thrown == null && !subsegment.isSummarizedCall()) {
            boolean[] capturing = startCapture();
            try {
                for (CallSite.Capture capture : site.atExit) {
                    record(subsegment, capture, ValueReader.read(capture.path, null, null, returned));
                }
            } finally {
                endCapture(capturing);
            }
        }
        if (thrown != null && !site.recordExceptions) {
            subsegment.markFault();
            tracer.end(subsegment);
        } else {
            tracer.end(subsegment, thrown);
        }
    }

    private static String name(CallSite site, Object self, Object[] arguments) {
        StringBuilder name = new StringBuilder();
        for (NameTemplate.Part part : site.nameParts) {
            String fixed = site.fixedText(part);
            name.append(fixed != null ? fixed : ValueReader.text(ValueReader.read(part.path(), self, arguments, null)));
        }
        return name.toString();
    }

    private static void record(Subsegment subsegment, CallSite.Capture capture, Object value) {
        if (capture.annotation) {
            if (value != null) {
                subsegment.annotate(capture.key, ValueReader.annotationValue(value));
            }
        } else {
            subsegment.putMetadata(METADATA_NAMESPACE, capture.key, value == null ? null : ValueReader.text(value));
        }
    }

    private static boolean[] startCapture() {
        boolean[] capturing = CAPTURING.get();
        capturing[0] = true;
        CAPTURING_THREADS.incrementAndGet();
        return capturing;
    }

    private static void endCapture(boolean[] capturing) {
        capturing[0] = false;
        CAPTURING_THREADS.decrementAndGet();
    }
}
