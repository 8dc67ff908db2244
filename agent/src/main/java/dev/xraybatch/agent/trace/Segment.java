package dev.xraybatch.agent.trace;

/** The job's root segment: one per JVM, opened when the JVM started and closed when it exits. */
public final class Segment extends Entity {
    /** The caller's entity id when the job joined an upstream trace (a trace header), else null. */
    final String upstreamParentId;
    // Guarded by this.
    String origin;

    Segment(TraceTree tree, String name, long startMicros, String upstreamParentId) {
        super(tree, null, name, startMicros);
        this.upstreamParentId = upstreamParentId;
    }

    /** {@code AWS::ECS::Container} and the like; left unset where X-Ray has no origin for the platform. */
    public synchronized void setOrigin(String origin) {
        this.origin = origin;
    }

    @Override
    boolean isSegment() {
        return true;
    }
}
