package dev.xraybatch.agent.lifecycle;

import dev.xraybatch.agent.lifecycle.jvm.JvmCosts;
import dev.xraybatch.agent.trace.Segment;
import dev.xraybatch.agent.trace.Subsegment;
import dev.xraybatch.agent.trace.Tracer;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The "JVM start-up" subsegment: from the JVM's start (where the root segment begins) to the job's main method,
 * with the agent's own start inside it. Without it the first second or so of every trace is unexplained time.
 * Recorded when main starts; when the agent is attached at run time (the Spark plugin), it covers the JVM's start
 * up to the agent being ready, and says so.
 */
public final class JvmStartPhase {
    static final String NAME = "JVM start-up";
    static final String AGENT_START_NAME = "xray-batch-agent start";

    private final Tracer tracer;
    private final long agentStartMicros;
    private volatile long agentReadyMicros;
    private volatile long mainStartedMicros;
    private final AtomicBoolean recorded = new AtomicBoolean();
    /** Counts the classes loaded before main for the phase's metadata; null: not counted. */
    private volatile JvmCosts jvmCosts;

    /** @param agentStartMicros when the agent's premain began */
    public JvmStartPhase(Tracer tracer, long agentStartMicros) {
        this.tracer = tracer;
        this.agentStartMicros = agentStartMicros;
    }

    /** The agent has installed its instrumentation: the end of its own start. */
    public void agentReady() {
        agentReadyMicros = Tracer.nowMicros();
    }

    /** The phase's metadata holds the classes loaded before main, as {@code costs} counts them. */
    public void countClassesWith(JvmCosts costs) {
        this.jvmCosts = costs;
    }

    /** Called when the job's main method starts; only the first call counts (main can be called again). */
    public void mainStarted() {
        long now = Tracer.nowMicros();
        if (mainStartedMicros == 0L) {
            mainStartedMicros = now;
        }
        JvmCosts costs = jvmCosts;
        long classes = costs == null ? -1L : costs.mainStarted();
        record(now, false, classes);
    }

    /** When the job's main method started; 0 when it was not seen. */
    public long mainStartedMicros() {
        return mainStartedMicros;
    }

    /** The agent arrived in a running JVM: the phase ends with the agent's own start. */
    public void attachedAtRunTime() {
        record(agentReadyMicros, true, -1L);
    }

    private void record(long endMicros, boolean attachedAtRunTime, long classesLoaded) {
        if (!recorded.compareAndSet(false, true) || tracer.isRootLocal()) {
            return;
        }
        Segment root = tracer.root();
        Subsegment startUp = tracer.beginChild(root, NAME);
        startUp.setStartMicros(root.startMicros());
        long agentReady = agentReadyMicros;
        if (agentStartMicros > 0 && agentReady >= agentStartMicros) {
            Subsegment agent = tracer.beginChild(startUp, AGENT_START_NAME);
            agent.setStartMicros(agentStartMicros);
            agent.setEndMicros(agentReady);
            tracer.end(agent);
        }
        if (attachedAtRunTime) {
            startUp.putMetadata("xray_batch", "agent_attached_at_run_time", true);
        }
        if (classesLoaded >= 0L) {
            startUp.putMetadata("xray_batch", "classes_loaded", classesLoaded);
        }
        startUp.setEndMicros(Math.max(endMicros, root.startMicros()));
        tracer.end(startUp);
    }
}
