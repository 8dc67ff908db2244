package dev.xraybatch.agent.runtime;

import dev.xraybatch.agent.bootstrap.XRayBridge;
import dev.xraybatch.agent.gaps.MainThreadGaps;
import dev.xraybatch.agent.lifecycle.JobLifecycle;
import dev.xraybatch.agent.lifecycle.JvmStartPhase;
import dev.xraybatch.agent.lifecycle.LogCorrelation;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

/** The agent's side of {@link XRayBridge}: context (and the tests' spans) go to the tracer, the job's end to its lifecycle. */
public final class CoreBridge implements XRayBridge.Core {
    private final Tracer tracer;
    private final JobLifecycle lifecycle;
    private final LogCorrelation logs;
    private final JvmStartPhase startPhase;
    private final MainThreadGaps gaps;

    public CoreBridge(Tracer tracer, JobLifecycle lifecycle, LogCorrelation logs, JvmStartPhase startPhase,
                      MainThreadGaps gaps) {
        this.gaps = gaps;
        this.tracer = tracer;
        this.lifecycle = lifecycle;
        this.logs = logs;
        this.startPhase = startPhase;
    }

    @Override
    public Object begin(String name) {
        return tracer.begin(name);
    }

    @Override
    public void end(Object span, Throwable error) {
        if (span instanceof Subsegment) {
            tracer.end((Subsegment) span, error);
        }
    }

    @Override
    public Object capture() {
        return tracer.capture();
    }

    @Override
    public Object attach(Object context) {
        logs.onThreadJoinsTrace();
        return tracer.attach(context);
    }

    @Override
    public void detach(Object previous) {
        tracer.detach(previous);
    }

    @Override
    public void mainStarted(Class<?> mainClass) {
        startPhase.mainStarted();
        gaps.mainStarted(startPhase.mainStartedMicros()); // first: the MDC look-ups below take a while too
        logs.onMainStarted(mainClass);
    }

    @Override
    public void mainEnded(Throwable thrown) {
        lifecycle.mainEnded(thrown);
        gaps.jobEnded();
    }

    @Override
    public void exitRequested(int status) {
        lifecycle.exitRequested(status);
        gaps.jobEnded();
    }

    @Override
    public void uncaughtException(Thread thread, Throwable thrown) {
        lifecycle.uncaughtException(thread, thrown);
    }

    @Override
    public void lastThreadEnded() {
        lifecycle.lastThreadEnded();
    }
}
